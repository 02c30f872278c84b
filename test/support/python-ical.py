"""Parses iCalendar documents with Debian's python3-icalendar, an implementation independent of
ours and of ical.js, and prints what it understood as JSON for the tests to compare.

Input on stdin: one calendar, or several joined by a line holding only "----".
Output: a JSON list with one object per calendar.
With --serve: one request per line, a JSON list of calendars, each answered by one line, the
JSON list of what was parsed (or {"error": ...}), until stdin closes; test/support/python-ical.ts
keeps one such process for a test file instead of starting Python for every question.
Run with /usr/bin/python3 (the Debian interpreter that has the package).
"""
import datetime
import json
import sys

import icalendar


def when(value):
    dt = value.dt
    if isinstance(dt, datetime.datetime):
        if dt.tzinfo is None:
            return {"kind": "floating", "value": dt.isoformat()}
        return {"kind": "instant", "value": dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    return {"kind": "date", "value": dt.isoformat()}


def person(prop):
    if prop is None:
        return None
    return {
        "value": str(prop),
        "cn": prop.params.get("CN"),
        "rsvp": prop.params.get("RSVP"),
        "partstat": prop.params.get("PARTSTAT"),
    }


def parse(text):
    cal = icalendar.Calendar.from_ical(text)
    events = []
    for ev in cal.walk("VEVENT"):
        attendees = ev.get("ATTENDEE")
        if attendees is None:
            attendees = []
        elif not isinstance(attendees, list):
            attendees = [attendees]
        events.append({
            "uid": str(ev.get("UID")),
            "sequence": int(ev.get("SEQUENCE")),
            "status": str(ev.get("STATUS")) if ev.get("STATUS") is not None else None,
            "summary": str(ev.get("SUMMARY")),
            "description": str(ev.get("DESCRIPTION")) if ev.get("DESCRIPTION") is not None else None,
            "dtstart": when(ev.get("DTSTART")),
            "dtend": when(ev.get("DTEND")),
            "dtstamp": when(ev.get("DTSTAMP")),
            "organizer": person(ev.get("ORGANIZER")),
            "attendees": [person(a) for a in attendees],
        })
    return {"method": str(cal.get("METHOD")), "version": str(cal.get("VERSION")), "events": events}


def main():
    data = sys.stdin.buffer.read().decode("utf-8")
    docs = [d for d in data.split("\n----\n") if d.strip()]
    print(json.dumps([parse(d) for d in docs], ensure_ascii=False))


def serve():
    for line in sys.stdin.buffer:
        try:
            answer = [parse(d) for d in json.loads(line)]
        except Exception as error:  # the test that asked fails with it; the next question is answered
            answer = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if sys.argv[1:] == ["--serve"]:
    serve()
else:
    main()

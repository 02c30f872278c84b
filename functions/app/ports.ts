// What the use cases need from the world outside, in their own terms. The app owns these
// interfaces and the adapters implement them (functions/adapters/aws/dynamo/ the repositories,
// aws/ses.ts and the local SMTP the Mailer, aws/scheduler.ts and the local clock the Schedules,
// aws/mail-store.ts the MailStore, emails/ the TemplateCompiler), so the app never imports an
// adapter and a test hands in a plain object.
//
// The repositories are cut the way the table's aggregates are (one per module under dynamo/);
// each use case then asks for the few it reads and writes, so a fake for a test is small and what
// a use case may touch is written down:
//
// | port          | used by                                   | repositories                                   |
// | ------------- | ----------------------------------------- | ---------------------------------------------- |
// | JobStore      | run-job.ts, planners/                     | series, templates, participants, responses,    |
// |               |                                           | delivery ledger, calendars, suppression list   |
// | PublishStore  | publish.ts                                | series, templates, participants, schedules,    |
// |               |                                           | calendars                                      |
// | InboundStore  | receive-reply.ts                          | series, templates, participants, responses,    |
// |               |                                           | ledger, suppression, inbound log, quotas       |
// | RouteStore    | receive-reply.ts routeMessage, parse-reply| series, templates, participants, responses     |
// | LinkStore     | click-link.ts                             | series, participants, responses, needs-a-look  |
// | DeliveryLedger| deliver.ts                                | delivery ledger                                |
// | StudioStore   | studio/ (the trainer studio)              | series, templates, participants, responses,    |
// |               |                                           | ledger, needs-a-look, schedules, calendars,    |
// |               |                                           | quotas, sign-in nonces                         |
import type { AudienceGroup } from '#core/audience';
import type { Language, Participant, Response, Series, Training } from '#core/model';
import type {
  CalendarState,
  ClaimResult,
  Delivery,
  Instant,
  NeedsLook,
  ParticipantStatusPatch,
  PreferenceFlag,
  PublishedSeries,
  StoredParticipant,
  StudioEdit,
  StudioEditState,
  Suppression,
} from '#core/records';
import type { ScheduleDiff, ScheduleRecord } from '#core/schedule-plan';
import type { PersonRef } from '#core/report';
import type { CompiledEmail } from '#mail/fill';

// ---------------------------------------------------------------------------------------------
// Repositories, one per aggregate

export interface SeriesRepository {
  putSeries(series: Series, trainings: Training[], meta: { publishedAt: Instant; version: number }): Promise<void>;
  getSeries(seriesId: string): Promise<PublishedSeries | undefined>;
  /**
   * The series item's version only (a cheap read), and whether the publish of that version has
   * written everything (finishPublish); undefined when the series is not published.
   */
  getSeriesVersion(seriesId: string): Promise<{ version: number; settled: boolean } | undefined>;
  /** The publish of `version` has written its trainings, templates and calendars (a no-op once a newer publish began). */
  finishPublish(seriesId: string, version: number): Promise<void>;
  findSeriesByKey(key: string): Promise<string | undefined>;
  /** Ids of the series this address is listed as a trainer of (eventually consistent: an index). */
  listSeriesOfTrainer(email: string): Promise<string[]>;
}

/** Compiled email templates of a series, by name. */
export interface TemplateRepository {
  /** Stores each (name, compiled template) pair, replacing a template of the same name. */
  putTemplates(seriesId: string, templates: Iterable<readonly [name: string, value: string]>): Promise<void>;
  getTemplate(seriesId: string, name: string): Promise<string | undefined>;
  getTemplates(seriesId: string, namePrefix?: string): Promise<Map<string, string>>;
  /** Deletes the series' templates whose names are not in `keep`; returns the deleted names. */
  pruneTemplates(seriesId: string, keep: Iterable<string>): Promise<string[]>;
}

export interface ParticipantRepository {
  putParticipants(seriesId: string, participants: Participant[]): Promise<void>;
  listParticipants(seriesId: string): Promise<StoredParticipant[]>;
  /** The participants among `emails` (a fan-out batch's recipients), by key: reads only them. */
  getParticipants(seriesId: string, emails: readonly string[]): Promise<StoredParticipant[]>;
  getParticipant(seriesId: string, email: string): Promise<StoredParticipant | undefined>;
  /**
   * The studio's participants table: `limit` of them by name from the cursor `after` (`after` in
   * the answer is where the next page starts), or the first `limit` whose name or email starts with `search`.
   */
  pageParticipants(seriesId: string, options: { limit: number; after?: string; search?: string }): Promise<{ participants: StoredParticipant[]; after?: string }>;
  countParticipants(seriesId: string): Promise<number>;
  /** Writes the by-name / by-email pointers for a series stored before they existed, once; true when it did (publish, through prepareStudio). */
  ensurePeopleIndex(seriesId: string): Promise<boolean>;
  /**
   * The addresses of a schedule group's reachable members (not unsubscribed, not bounced), sorted:
   * a job's zone with its start of day and own week (core/audience.ts inGroup), read from the
   * group's pointers alone. Undefined for a job not split by zone, and for a series whose pointers
   * were never built (stored by an older version; publishing builds them): read the list then.
   */
  listGroupMembers(seriesId: string, group: AudienceGroup): Promise<string[] | undefined>;
  /** Writes the schedule-group pointers for a series stored before they existed, once; true when it did. */
  ensureGroupIndex(seriesId: string): Promise<boolean>;
  findParticipantByKey(seriesId: string, key: string): Promise<StoredParticipant | undefined>;
  setParticipantStatus(seriesId: string, email: string, patch: ParticipantStatusPatch): Promise<StoredParticipant | undefined>;
  setUnsubscribed(seriesId: string, email: string, at: Instant | null): Promise<StoredParticipant | undefined>;
  setBounced(seriesId: string, email: string, at: Instant | null): Promise<StoredParticipant | undefined>;
  setOutOfOffice(seriesId: string, email: string, until: Instant | null): Promise<StoredParticipant | undefined>;
  /** Turns one part of the series (reminders, roll-ups, check-ins, calendar) off or back on. */
  setPreference(seriesId: string, email: string, flag: PreferenceFlag, on: boolean): Promise<StoredParticipant | undefined>;
  /** True when there was such a participant. */
  removeParticipant(seriesId: string, email: string): Promise<boolean>;
  /** Ids of the series this address is enrolled in (eventually consistent: an index). */
  listSeriesOfParticipant(email: string): Promise<string[]>;
}

export interface ResponseRepository {
  putResponse(response: Response): Promise<{ stored: boolean }>;
  /**
   * Bulk load of responses (restores, migrations, benchmarks): BatchWrite, no duplicate check.
   * Replies never come through here; they use putResponse.
   */
  importResponses(responses: Response[]): Promise<void>;
  /** Current responses only, unless `includeWithdrawn`: every report reads through here. */
  listResponses(seriesId: string, filter?: { trainingSlug?: string; includeWithdrawn?: boolean }): Promise<Response[]>;
  /** Current responses only. */
  listResponsesByParticipant(seriesId: string, email: string): Promise<Response[]>;
  /**
   * The studio's feed (core/report.ts isFeedItem), current responses newest first, `limit` of them
   * from after the cursor `older`; `older` in the answer is where the next page starts, if any.
   */
  listFeed(seriesId: string, options: { limit: number; older?: string }): Promise<{ responses: Response[]; older?: string }>;
  /** Writes the feed's pointers for responses stored before they existed, once per series; true when it did (publish, through prepareStudio). */
  ensureFeed(seriesId: string): Promise<boolean>;
  /** The participants grid: per email, the level (core/report.ts gridLevel) reached per training slug. */
  getLevels(seriesId: string, emails: Iterable<string>): Promise<Map<string, Map<string, number>>>;
  /** Withdrawn ones too: a correction link must be able to say what became of its record. */
  findResponseByKey(seriesId: string, key: string): Promise<Response | undefined>;
  /**
   * Marks a response withdrawn (replaced by `replacedBy` when it was corrected), or, with null,
   * current again. Undefined when there is no such response.
   */
  withdrawResponse(response: Pick<Response, 'seriesId' | 'trainingSlug' | 'id'>, change: { at: Instant; replacedBy?: string } | null): Promise<Response | undefined>;
}

/**
 * What the studio's pages read instead of the whole series: pointers (feed, people) and the
 * overview's running totals (core/tallies.ts), kept on write; publish readies them for a series
 * stored before they existed.
 */
export interface StudioIndexes {
  /** Writes the feed and people pointers and rebuilds the counters where missing (or, with `recount`, anyway); says what it did. */
  prepareStudio(seriesId: string, options?: { recount?: boolean }): Promise<{ feed: boolean; people: boolean; tallies: boolean }>;
  /** Recomputes every person's facts and the counters from the series' records. */
  recount(seriesId: string): Promise<void>;
  /** The counters (core/tallies.ts tallyOf names) and whether they are kept for this series yet. */
  readTallies(seriesId: string): Promise<{ counters: Record<string, number>; ready: boolean }>;
  /** The first `limit` active people sent a training who answered nothing yet, by name. */
  pageQuiet(seriesId: string, limit: number): Promise<PersonRef[]>;
}

/** Replies a person has to look at: unclear readings, requests, rejoin asks. */
export interface NeedsLookRepository {
  /** Conditional: a redelivery does not reopen a resolved record. */
  putNeedsLook(record: NeedsLook): Promise<{ stored: boolean }>;
  getNeedsLook(seriesId: string, id: string): Promise<NeedsLook | undefined>;
  /** Oldest first; `open` leaves out resolved ones. */
  listNeedsLook(seriesId: string, filter?: { open?: boolean }): Promise<NeedsLook[]>;
  resolveNeedsLook(seriesId: string, id: string, resolution: { at: Instant; resolution: string; responseId?: string }): Promise<NeedsLook | undefined>;
}

/**
 * One record per email a series sends, claimed before the send and completed after it, so a
 * rerun or a second sender never sends the same email twice (deliver.ts tells the whole story).
 * deliver.ts needs only the first four; the rest are for SES's events, planners and restores.
 */
export interface DeliveryLedger {
  claimDelivery(seriesId: string, emailId: string, opts: { now: Date; leaseMs: number }): Promise<ClaimResult>;
  completeDelivery(seriesId: string, emailId: string, opts: { sesMessageId: string; sentAt: Date }): Promise<void>;
  /** Gives a claim back after a failed send so the next attempt need not wait for the lease. */
  releaseDelivery?(seriesId: string, emailId: string, opts: { error?: string }): Promise<void>;
  /** Which of these are sent already: lets a rerun skip them with a few reads instead of a conditional write each. */
  sentAmong?(seriesId: string, emailIds: readonly string[]): Promise<Set<string>>;
}

/**
 * What a batch checks before it sends: which of its deliveries are sent already (the ledger's
 * sentAmong) and which addresses are suppressed (the suppression list's suppressedAmong), in one
 * read where the store can (one BatchGet for both).
 */
export interface DeliveryScreen {
  screenDeliveries(seriesId: string, emailIds: readonly string[], emails: readonly string[]): Promise<{ sent: Set<string>; suppressed: Set<string> }>;
}

/** The whole ledger as the store keeps it. */
export interface DeliveryRepository extends Required<DeliveryLedger> {
  completeDelivery(seriesId: string, emailId: string, result: { sesMessageId: string; sentAt: Instant }): Promise<void>;
  releaseDelivery(seriesId: string, emailId: string, options?: { error?: string }): Promise<void>;
  /** The deliveries among `emailIds` already sent, in BatchGet requests of 100 (a rerun skips them without a write each). */
  sentAmong(seriesId: string, emailIds: Iterable<string>): Promise<Set<string>>;
  /**
   * SES's side of the ledger: SES accepted a message for this delivery (its Send event, or the
   * local SES proxy). Marks the claim sent, so a sender that died before completing it is not
   * followed by a second send. False when there was no claim to mark (already sent, or unknown).
   */
  recordAccepted(seriesId: string, emailId: string, accepted: { sesMessageId: string; at: Instant }): Promise<boolean>;
  listDeliveries(seriesId: string, emailIdPrefix?: string): Promise<Delivery[]>;
  /** The ids among `emailIds` that have a delivery record, claimed or sent (BatchGet of 100). */
  recordedAmong(seriesId: string, emailIds: Iterable<string>): Promise<Set<string>>;
  /** Bulk load of delivery records already sent (restores, benchmarks). */
  importDeliveries(seriesId: string, deliveries: Delivery[]): Promise<void>;
}

/** The store's record of each series' schedules: what publish diffs against, what the local clock fires. */
export interface ScheduleRepository {
  putSchedule(seriesId: string, record: ScheduleRecord): Promise<void>;
  /** Puts and deletes many records at once (BatchWriteItem, 25 a request; one change alone is a PutItem or DeleteItem). */
  writeSchedules(seriesId: string, changes: { put: readonly ScheduleRecord[]; delete: readonly string[] }): Promise<void>;
  listSchedules(seriesId: string): Promise<Array<ScheduleRecord & { seriesId: string }>>;
  deleteSchedule(seriesId: string, name: string): Promise<void>;
  /**
   * Pending schedules of every series due at or before `until` (all when absent), earliest first;
   * with `limit`, only that many of the earliest.
   */
  listPendingSchedules(options?: { until?: Instant; limit?: number }): Promise<Array<ScheduleRecord & { seriesId: string }>>;
  /** Schedules of every series the local clock gave up on (the local dead-letter queue), earliest first. */
  listFailedSchedules(): Promise<Array<ScheduleRecord & { seriesId: string }>>;
  /**
   * How many schedule writes (puts, batch writes, deletes) this store has sent so far, counted as
   * each is sent. A local clock that keeps the earliest pending records in memory reads the index
   * again when someone else in the process wrote one.
   */
  scheduleWrites(): number;
}

export interface CalendarRepository {
  /** Every training's calendar state, removed ones included, by order then slug. */
  getCalendars(seriesId: string): Promise<CalendarState[]>;
  putCalendars(seriesId: string, states: CalendarState[]): Promise<void>;
}

/** Addresses that bounced or complained, across every series. */
export interface SuppressionList {
  suppress(email: string, reason: string, at: Instant): Promise<void>;
  isSuppressed(email: string): Promise<boolean>;
  getSuppression(email: string): Promise<Suppression | undefined>;
  /** The suppressed ones among `emails`, in BatchGet requests of 100. */
  suppressedAmong(emails: Iterable<string>): Promise<Set<string>>;
}

/** Message ids already received, so SES's at-least-once delivery is processed once. */
export interface InboundLog {
  /** True the first time this message id is recorded (and again after its TTL has passed). */
  recordInboundMessage(messageId: string, options: { seriesId?: string; at: Date; ttlDays: number }): Promise<boolean>;
}

export interface Quotas {
  /**
   * Counts `memberId` into the set `counter` unless that would take it past `limit`: true when it
   * is in (now or already: the same member never counts twice, so a retry passes again), false
   * when the limit is reached. One conditional UpdateItem, so parallel callers cannot overshoot.
   */
  takeQuota(counter: string, memberId: string, options: { limit: number; at: Date; ttlDays: number }): Promise<boolean>;
}

/** The studio's sign-in links: each nonce is stored when mailed and consumed once. */
export interface SignInNonces {
  putSignInNonce(nonce: string, record: { email: string; expiresAt: Date }): Promise<void>;
  /** True the one time it is consumed: issued for `email`, unused, unexpired (a conditional write). */
  consumeSignInNonce(nonce: string, options: { email: string; at: Date }): Promise<boolean>;
}

/** Training edits confirmed in the studio, applied by the publish worker (studio/apply-edit.ts). */
export interface StudioEditRepository {
  /** Stores a new edit; false (and nothing written) when an edit with that id exists already. */
  putStudioEdit(edit: StudioEdit): Promise<boolean>;
  getStudioEdit(seriesId: string, id: string): Promise<StudioEdit | undefined>;
  /** Every edit of the series, oldest first. */
  listStudioEdits(seriesId: string): Promise<StudioEdit[]>;
  /** Sets fields when the edit's state is one of `from` (a conditional update); false otherwise. */
  updateStudioEdit(seriesId: string, id: string, from: readonly StudioEditState[], patch: Partial<Pick<StudioEdit, 'state' | 'appliedAt' | 'version' | 'error' | 'inFolderAt'>>): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// What each use case asks for

/** run-job.ts and the planners: read a series and its people, write the ledger, the reminder quotas and a fatigue status. */
export type JobStore = Pick<SeriesRepository, 'getSeries' | 'getSeriesVersion'> &
  Pick<TemplateRepository, 'getTemplates'> &
  Pick<ParticipantRepository, 'listParticipants' | 'getParticipants' | 'listGroupMembers' | 'setParticipantStatus'> &
  Quotas &
  Pick<ResponseRepository, 'listResponses'> &
  DeliveryRepository &
  Pick<CalendarRepository, 'getCalendars'> &
  Pick<SuppressionList, 'suppressedAmong'> &
  Partial<DeliveryScreen> &
  Pick<NeedsLookRepository, 'listNeedsLook'>;

/** publish.ts: the series, its templates, schedules and calendars; reads its participants. */
export type PublishStore = SeriesRepository &
  TemplateRepository &
  Pick<StudioIndexes, 'prepareStudio'> &
  Pick<ParticipantRepository, 'listParticipants' | 'putParticipants' | 'ensureGroupIndex'> &
  ScheduleRepository &
  CalendarRepository;

/** receive-reply.ts, finding what a reply answers. */
export type RouteStore = Pick<SeriesRepository, 'findSeriesByKey' | 'getSeries'> &
  Pick<ParticipantRepository, 'findParticipantByKey' | 'getParticipant'> &
  Pick<ResponseRepository, 'findResponseByKey'> &
  Pick<TemplateRepository, 'getTemplate'>;

/** receive-reply.ts, the whole inbound pipeline. */
export type InboundStore = RouteStore &
  Pick<ResponseRepository, 'putResponse' | 'listResponses' | 'withdrawResponse'> &
  InboundLog &
  Pick<ParticipantRepository, 'setOutOfOffice' | 'setUnsubscribed' | 'setPreference' | 'setParticipantStatus'> &
  Pick<NeedsLookRepository, 'putNeedsLook' | 'listNeedsLook' | 'resolveNeedsLook'> &
  Pick<DeliveryRepository, 'claimDelivery' | 'completeDelivery' | 'releaseDelivery'> &
  Pick<SuppressionList, 'suppressedAmong'> &
  Partial<DeliveryScreen> &
  Quotas;

/** click-link.ts: the one-click links. */
export type LinkStore = Pick<SeriesRepository, 'getSeries'> &
  Pick<ParticipantRepository, 'getParticipant' | 'setUnsubscribed' | 'setPreference' | 'setParticipantStatus'> &
  Pick<ResponseRepository, 'findResponseByKey' | 'putResponse' | 'withdrawResponse'> &
  Pick<NeedsLookRepository, 'getNeedsLook' | 'resolveNeedsLook'>;

/** studio/: what a trainer sees and changes from the web page (authorized per series there). */
export type StudioStore = LinkStore &
  PublishStore &
  Pick<ParticipantRepository, 'removeParticipant'> &
  Pick<ResponseRepository, 'listResponses' | 'listResponsesByParticipant' | 'listFeed'> &
  Pick<ParticipantRepository, 'getParticipants' | 'pageParticipants' | 'countParticipants'> &
  Pick<ResponseRepository, 'getLevels'> &
  Pick<StudioIndexes, 'readTallies' | 'pageQuiet'> &
  Pick<DeliveryRepository, 'listDeliveries' | 'claimDelivery' | 'completeDelivery' | 'releaseDelivery' | 'sentAmong'> &
  Pick<SuppressionList, 'suppressedAmong'> &
  Pick<NeedsLookRepository, 'listNeedsLook'> &
  Quotas &
  SignInNonces &
  StudioEditRepository;

// ---------------------------------------------------------------------------------------------
// The other ports

/** A message ready for SES (or the local SMTP): raw MIME and its envelope. */
export interface BuiltMail {
  from: string;
  to: string;
  raw: string;
  /** SES message tags naming the delivery, so SES's own Send event can record it as sent. */
  tags?: Record<string, string>;
}

/** Sends one message; resolves to the provider's message id (SES's, or the local proxy's). */
export type Mailer = (mail: BuiltMail) => Promise<string>;

/** Where schedules live besides the store's records: EventBridge Scheduler in AWS. */
export interface Schedules {
  apply(seriesId: string, diff: ScheduleDiff): Promise<unknown>;
}

/** Every email of a series compiled once (MJML, at publish time only), by template name. */
export type TemplateCompiler = (series: Series, trainings: Training[], extras?: CompileExtras) => Promise<Map<string, CompiledEmail>>;

/** What publish learnt before compiling: the generated audio version of each training, by slug. */
export interface CompileExtras {
  audio?: ReadonlyMap<string, { url: string; seconds: number }>;
  /** Languages participants read besides the series' own (templates named TEMPLATE.inLanguage). */
  languages?: readonly Language[];
}

/** Where received mail and its attachments are kept (S3 in AWS, the data folder locally). */
export interface MailStore {
  /** Keeps a raw message under `key`; returns the reference stored with the records. */
  putRaw(key: string, raw: Uint8Array): Promise<string>;
  getRaw(key: string): Promise<Buffer>;
  /** Keeps one attachment under `key` (deterministic: a redelivery overwrites, never duplicates). */
  putAttachment(key: string, content: Uint8Array, contentType: string): Promise<string>;
}

/**
 * Speaks text (espeak-ng locally, Amazon Polly on AWS) for the audio version of a training. The
 * adapter knows its engine's length limits and returns one playable file with its duration.
 */
export interface SpeechSynthesizer {
  /** The engine, voice and settings for `language`: part of the cache key, so another voice makes another file. */
  voiceFor(language: string): string | undefined;
  readonly format: { extension: 'wav' | 'mp3'; contentType: string };
  /** Undefined when it can speak; otherwise why not and how to fix it (publishing goes on without audio). */
  unavailable(): Promise<string | undefined>;
  synthesize(text: string, language: string): Promise<{ audio: Uint8Array; seconds: number }>;
}

/** Generated audio, stored with the attachments under a content-hash key (S3 in AWS, the data folder locally). */
export interface AudioStore {
  /** What is stored under `key`, or undefined: the cache check before any synthesis. */
  getAudio(key: string): Promise<{ seconds: number } | undefined>;
  putAudio(key: string, audio: Uint8Array, meta: { contentType: string; seconds: number }): Promise<void>;
}

/** The time, handed in: a simulated series runs on a virtual clock. */
export type Clock = () => Date;

/** One JSON-able record per outcome (Powertools in Lambda, the console locally). */
export type Logger = (record: Record<string, unknown>) => void;

// The bytes of a file a trainer saved, as text. Excel on Windows saves "CSV" in Windows-1252 and
// "CSV UTF-8" with a BOM; "Unicode Text" is UTF-16. Reading 1252 bytes as UTF-8 turns "Martínez"
// into "Mart�nez", and that name would go out in every email: so the encoding is detected, a
// 1252 file is converted, and anything else is refused with the way to save it properly.
import type { Problem } from './problem.ts';

export type DecodedText = { ok: true; text: string; encoding: 'utf-8' | 'windows-1252'; warning?: Problem } | { ok: false; error: Problem };

const SAVE_AS_UTF8 = 'in Excel, choose File › Save As › "CSV UTF-8 (Comma delimited)"; in Google Sheets, File › Download › CSV';

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split(/\r\n|\n|\r/).length;
}

export function decodeText(bytes: Uint8Array, file: string): DecodedText {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, error: { file, line: 0, message: `the file is saved as UTF-16 ("Unicode Text"), which is not a CSV: ${SAVE_AS_UTF8}` } };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    const bad = text.indexOf('\uFFFD');
    if (bad >= 0) {
      // Valid UTF-8 holding the replacement sign: an earlier tool already lost the letter.
      return {
        ok: false,
        error: { file, line: lineOf(text, bad), message: `this line holds "�", a letter lost by an earlier conversion: retype it (for example "Martínez") and save the file again (${SAVE_AS_UTF8})` },
      };
    }
    return { ok: true, text, encoding: 'utf-8' };
  } catch {
    // Not UTF-8. Windows-1252 decodes every byte but five, which WHATWG maps to C1 controls: a
    // file holding those is some other encoding (Mac Roman, a code page for another script).
    const text = new TextDecoder('windows-1252').decode(bytes);
    const bad = text.search(/[\u0080-\u009f]/);
    if (bad >= 0) {
      return { ok: false, error: { file, line: lineOf(text, bad), message: `the file is neither UTF-8 nor Windows-1252, so its names cannot be read safely: ${SAVE_AS_UTF8}` } };
    }
    return {
      ok: true,
      text,
      encoding: 'windows-1252',
      warning: { file, line: 0, message: `read as Windows-1252 (Excel's plain "CSV" format) and converted; names in other scripts need ${SAVE_AS_UTF8.replace(/^in /, '')}` },
    };
  }
}

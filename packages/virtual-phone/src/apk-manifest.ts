/**
 * What `pm install` reads of an APK: the package name and version in its AndroidManifest.xml, a binary XML
 * file inside the zip (stored or deflated). Enough of both formats to read the `<manifest>` element's
 * attributes; null when the file is not a zip with such a manifest.
 */
import { inflateRawSync } from "node:zlib";

export interface ApkManifest {
  package: string;
  versionCode: number | null;
  versionName: string | null;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The bytes of one zip entry, or null. */
export function zipEntry(zip: Buffer, name: string): Buffer | null {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count && p + 46 <= zip.length; n++) {
    if (zip.readUInt32LE(p) !== CENTRAL) return null;
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const entryName = zip.toString("utf8", p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (entryName !== name) continue;
    if (zip.readUInt32LE(local) !== LOCAL) return null;
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    if (method === 0) return data;
    if (method === 8) return inflateRawSync(data);
    return null;
  }
  return null;
}

const RES_STRING_POOL = 0x0001;
const RES_XML_START_ELEMENT = 0x0102;
const TYPE_STRING = 0x03;
const UTF8_FLAG = 1 << 8;

function poolStrings(buf: Buffer, at: number): string[] {
  const count = buf.readUInt32LE(at + 8);
  const flags = buf.readUInt32LE(at + 16);
  const stringsStart = at + buf.readUInt32LE(at + 20);
  const utf8 = (flags & UTF8_FLAG) !== 0;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let p = stringsStart + buf.readUInt32LE(at + 28 + i * 4);
    if (utf8) {
      p += (buf[p] as number) & 0x80 ? 2 : 1; // length in characters
      let len = buf[p] as number;
      if (len & 0x80) len = ((len & 0x7f) << 8) | (buf[p + 1] as number);
      p += (buf[p] as number) & 0x80 ? 2 : 1;
      out.push(buf.toString("utf8", p, p + len));
    } else {
      let len = buf.readUInt16LE(p);
      p += 2;
      if (len & 0x8000) {
        len = ((len & 0x7fff) << 16) | buf.readUInt16LE(p);
        p += 2;
      }
      out.push(buf.toString("utf16le", p, p + len * 2));
    }
  }
  return out;
}

/** The `<manifest>` attributes of a binary AndroidManifest.xml. */
export function readBinaryManifest(xml: Buffer): ApkManifest | null {
  if (xml.length < 8 || xml.readUInt16LE(0) !== 0x0003) return null;
  let strings: string[] = [];
  let p = xml.readUInt16LE(2);
  while (p + 8 <= xml.length) {
    const type = xml.readUInt16LE(p);
    const size = xml.readUInt32LE(p + 4);
    if (size < 8) return null;
    if (type === RES_STRING_POOL) strings = poolStrings(xml, p);
    else if (type === RES_XML_START_ELEMENT) {
      const name = strings[xml.readUInt32LE(p + 20)];
      if (name === "manifest") {
        const attrStart = xml.readUInt16LE(p + 24);
        const attrSize = xml.readUInt16LE(p + 26);
        const attrCount = xml.readUInt16LE(p + 28);
        const found: ApkManifest = { package: "", versionCode: null, versionName: null };
        for (let i = 0; i < attrCount; i++) {
          const a = p + 16 + attrStart + i * attrSize;
          const attr = strings[xml.readUInt32LE(a + 4)];
          const raw = xml.readInt32LE(a + 8);
          const dataType = xml[a + 15] as number;
          const data = xml.readUInt32LE(a + 16);
          const text = raw >= 0 ? strings[raw] : dataType === TYPE_STRING ? strings[data] : undefined;
          if (attr === "package" && text) found.package = text;
          else if (attr === "versionName" && text !== undefined) found.versionName = text;
          else if (attr === "versionCode") found.versionCode = text !== undefined ? Number(text) : data;
        }
        return found.package ? found : null;
      }
    }
    p += size;
  }
  return null;
}

/** The manifest of an APK file's bytes, or null. */
export function apkManifest(apk: Buffer): ApkManifest | null {
  try {
    const xml = zipEntry(apk, "AndroidManifest.xml");
    return xml ? readBinaryManifest(xml) : null;
  } catch {
    return null;
  }
}

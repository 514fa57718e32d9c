//! The facts snapshot, `.caselog/facts`: every case file's stat identity
//! and its digest (or why it does not read), in path order, in segments
//! that threads stream side by side.
//!
//! A pass walks the files, streams the snapshot beside the walk, trusts an
//! entry whose identity is unchanged and whose file was not modified just
//! before the snapshot was written (git's "racy clean" rule: a change in
//! the same timestamp granule could hide), and reads every other file
//! again. Each entry carries a CRC-32 of its bytes, so a damaged entry
//! (a flipped bit inside a digest leaves the stat identity intact) is not
//! trusted: the rest of its segment is read from the files instead.
//! Only when something changed is a new snapshot written: to a
//! temporary file, renamed into place, so a reader or a crash never sees
//! half of one, and two writers only race to leave a valid cache.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::files::Identity;
use super::watch::Token;
use super::{RACY_NS, digest};

/// The snapshot's file name in the work folder.
pub const FILE: &str = "facts";
const MAGIC: &[u8; 14] = b"caselog-facts\n";
/// The layout of this file and of the digests in it; any change rebuilds.
const LAYOUT: u32 = (5 << 16) | digest::VERSION;

/// What the index knows of one file.
#[derive(Debug, Clone, PartialEq)]
pub enum Known {
    /// The digest of the case it holds.
    Digest(Vec<u8>),
    /// It does not read as a case: where and why, without its path (the
    /// path is shown relative to wherever the command runs).
    Invalid { line: usize, message: String },
}

/// Where one segment of the snapshot starts, and its first key.
#[derive(Debug, Clone)]
struct Segment {
    offset: u64,
    entries: u64,
    first_key: String,
}

/// An open snapshot, as its header says. The file stays open, so a
/// snapshot another caselog renames over it meanwhile does not matter.
#[derive(Debug)]
pub struct Snapshot {
    file: File,
    /// When it was written (ns since 1970), for the racy rule.
    written_ns: i64,
    /// What the pass that wrote it knew of its walk.
    pub walk: WalkRecord,
    segments: Vec<Segment>,
}

/// What a snapshot records of the walk it was made from, so a later pass
/// may learn from the log's watcher what changed instead of walking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WalkRecord {
    /// The watcher's token, asked for before the walk began.
    pub watched: Option<Token>,
    /// Whether the walk found nothing amiss (no link, no folder it could
    /// not read, no case stored twice), no case file with a second name
    /// (a hard link, through which a change is not seen by the watcher),
    /// and every file found has its entry (none failed to open or read):
    /// only then may a pass learn from the watcher.
    pub clean: bool,
}

impl Snapshot {
    /// The snapshot at `path`, when there is one this build can read.
    pub fn open(path: &Path) -> Option<Snapshot> {
        let handle = File::open(path).ok()?;
        let mut file = BufReader::new(At {
            file: &handle,
            pos: 0,
        });
        let mut magic = [0u8; 14];
        file.read_exact(&mut magic).ok()?;
        if &magic != MAGIC || read_u32(&mut file).ok()? != LAYOUT {
            return None;
        }
        let written_ns = read_i64(&mut file).ok()?;
        let instance = read_u64(&mut file).ok()?;
        let generation = read_u64(&mut file).ok()?;
        let mut clean = [0u8];
        file.read_exact(&mut clean).ok()?;
        let walk = WalkRecord {
            watched: (instance != 0).then_some(Token {
                instance,
                generation,
            }),
            clean: clean[0] == 1,
        };
        let count = read_u32(&mut file).ok()?;
        if count as usize > MOST_SEGMENTS {
            return None;
        }
        let mut segments = Vec::new();
        for _ in 0..count {
            segments.push(Segment {
                offset: read_u64(&mut file).ok()?,
                entries: read_u64(&mut file).ok()?,
                first_key: read_str(&mut file).ok()?,
            });
        }
        // The header says which entries there are: a pass that takes the
        // files from the snapshot would miss or repeat cases on its word.
        let sum = read_u32(&mut file).ok()?;
        drop(file);
        let mut header = vec![0; header_len(segments.iter().map(|s| s.first_key.as_str()))];
        At {
            file: &handle,
            pos: 0,
        }
        .read_exact(&mut header)
        .ok()?;
        if crc32fast::hash(&header) != sum {
            return None;
        }
        Some(Snapshot {
            file: handle,
            written_ns,
            walk,
            segments,
        })
    }

    /// Whether an entry with this identity can be trusted without
    /// reading its file.
    pub fn trusts(&self, stored: &Identity, now: &Identity) -> bool {
        stored == now && now.mtime_ns < self.written_ns - RACY_NS
    }
}

/// What a snapshot's header says of how it was made.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    /// When it was written (ns since 1970), for the racy rule.
    pub written_ns: i64,
    pub walk: WalkRecord,
}

/// One entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub identity: Identity,
    pub known: Known,
}

/// Reads one segment's entries in order, one at a time, where they lie in
/// a window of the file: an entry is checked and looked at in place, not
/// copied out, so streaming 100,000 of them allocates nothing per entry.
pub struct SegmentReader<'s> {
    file: At<'s>,
    /// Bytes of the file from `window_at`; the first `filled` are read.
    window: Vec<u8>,
    window_at: u64,
    filled: usize,
    /// The current entry: where it starts in `window`, its length, and
    /// what it holds (`None` before the first and after the last).
    pos: usize,
    len: usize,
    current: Option<Parsed>,
    left: u64,
}

/// Where the parts of the current entry lie, from its start.
#[derive(Debug, Clone)]
struct Parsed {
    key: std::ops::Range<usize>,
    identity: Identity,
    known: ParsedKnown,
}

#[derive(Debug, Clone)]
enum ParsedKnown {
    Digest(std::ops::Range<usize>),
    Invalid {
        line: usize,
        message: std::ops::Range<usize>,
    },
}

/// What the index knows of one file, as it lies in the snapshot.
pub enum KnownRef<'e> {
    Digest(&'e [u8]),
    Invalid { line: usize, message: &'e [u8] },
}

/// Reads a file from a position of its own (`pread`), so threads can read
/// one open file side by side.
struct At<'f> {
    file: &'f File,
    pos: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// The most segments a snapshot has (one per thread that reads it), so
/// that a damaged count is not a loop of millions.
const MOST_SEGMENTS: usize = 1024;
/// The longest key an entry may have; longer is a damaged file.
const KEY_BYTES: usize = 64 * 1024;
/// How much of a segment is read at a time.
const WINDOW_BYTES: usize = 256 * 1024;

impl<'s> SegmentReader<'s> {
    fn open(snapshot: &'s Snapshot, segment: usize) -> SegmentReader<'s> {
        let segment = &snapshot.segments[segment];
        SegmentReader {
            file: At {
                file: &snapshot.file,
                pos: segment.offset,
            },
            window: Vec::new(),
            window_at: segment.offset,
            filled: 0,
            pos: 0,
            len: 0,
            current: None,
            left: segment.entries,
        }
    }

    /// Moves to the next entry: `false` at the segment's end; an error
    /// when the file is not what its header says or an entry's check
    /// fails (the caller reads the rest from the files and rebuilds).
    pub fn advance(&mut self) -> io::Result<bool> {
        self.pos += self.len;
        self.len = 0;
        self.current = None;
        if self.left == 0 {
            return Ok(false);
        }
        self.left -= 1;
        let damaged = || io::Error::other("a damaged entry in the facts file");
        let key_len = u32_at(self.bytes(4)?, 0) as usize;
        if key_len > KEY_BYTES {
            return Err(damaged());
        }
        let kind_at = 4 + key_len + 32;
        let kind = self.bytes(kind_at + 1)?[kind_at];
        let head = self.bytes(kind_at + if kind == 1 { 13 } else { 5 })?;
        let identity = Identity {
            size: u64_at(head, 4 + key_len),
            mtime_ns: u64_at(head, 4 + key_len + 8) as i64,
            ctime_ns: u64_at(head, 4 + key_len + 16) as i64,
            inode: u64_at(head, 4 + key_len + 24),
        };
        let limit = crate::limits::CASE_FILE_BYTES as usize;
        let (known, len) = match kind {
            0 => {
                let n = u32_at(head, kind_at + 1) as usize;
                if n > limit {
                    return Err(damaged());
                }
                let from = kind_at + 5;
                (ParsedKnown::Digest(from..from + n), from + n + 4)
            }
            1 => {
                let line = u64_at(head, kind_at + 1) as usize;
                let n = u32_at(head, kind_at + 9) as usize;
                if n > limit {
                    return Err(damaged());
                }
                let from = kind_at + 13;
                let message = from..from + n;
                (ParsedKnown::Invalid { line, message }, from + n + 4)
            }
            _ => return Err(damaged()),
        };
        let entry = self.bytes(len)?;
        let sum = u32_at(entry, len - 4);
        if crc32fast::hash(&entry[..len - 4]) != sum {
            return Err(damaged());
        }
        self.len = len;
        self.current = Some(Parsed {
            key: 4..4 + key_len,
            identity,
            known,
        });
        Ok(true)
    }

    /// The current entry's first `n` bytes, reading more of the file into
    /// the window when they are not there yet.
    fn bytes(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.pos + n > self.filled {
            // Keep the entry's bytes read so far, at the window's start.
            self.window.copy_within(self.pos..self.filled, 0);
            self.window_at += self.pos as u64;
            self.filled -= self.pos;
            self.pos = 0;
            if self.window.len() < n.max(WINDOW_BYTES) {
                self.window.resize(n.max(WINDOW_BYTES), 0);
            }
            while self.filled < n {
                match self.file.read(&mut self.window[self.filled..])? {
                    0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                    read => self.filled += read,
                }
            }
        }
        Ok(&self.window[self.pos..self.pos + n])
    }

    /// The current entry's key (a [`Found`](super::files::Found) key's bytes).
    pub fn key(&self) -> Option<&[u8]> {
        let parsed = self.current.as_ref()?;
        Some(&self.window[self.pos..][parsed.key.clone()])
    }

    /// The stat identity the current entry was made from.
    pub fn identity(&self) -> Option<Identity> {
        self.current.as_ref().map(|parsed| parsed.identity)
    }

    /// What the current entry knows of its file.
    pub fn known(&self) -> Option<KnownRef<'_>> {
        let parsed = self.current.as_ref()?;
        let entry = &self.window[self.pos..self.pos + self.len];
        Some(match &parsed.known {
            ParsedKnown::Digest(range) => KnownRef::Digest(&entry[range.clone()]),
            ParsedKnown::Invalid { line, message } => KnownRef::Invalid {
                line: *line,
                message: &entry[message.clone()],
            },
        })
    }

    /// How many entries are left after the current one.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// Where the current entry lies in the file.
    pub fn span(&self) -> Span {
        let start = self.window_at + self.pos as u64;
        Span {
            start,
            end: start + self.len as u64,
        }
    }
}

/// The number at `at`; every caller has read at least `at + 4` bytes of
/// the entry into `bytes` (see [`SegmentReader::advance`]).
fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

/// The number at `at`; every caller has read at least `at + 8` bytes.
fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Where an entry lies in the snapshot file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u64,
    pub end: u64,
}

/// One entry of a snapshot being written: kept as it lies in the old
/// snapshot, or new (boxed: a pass holds one piece per case, and most
/// are old).
#[derive(Debug)]
pub enum Piece {
    Old { span: Span },
    New(Box<Entry>),
}

/// The entries of a snapshot as segments to stream: each gets the files
/// (in the walk's order) whose keys fall in its range.
pub fn segment_readers(snapshot: &Snapshot) -> Vec<(Option<String>, SegmentReader<'_>)> {
    (0..snapshot.segments.len())
        .map(|i| {
            let first = (i > 0).then(|| snapshot.segments[i].first_key.clone());
            (first, SegmentReader::open(snapshot, i))
        })
        .collect()
}

/// Writes a new snapshot of `pieces` (in path order) in `segments` parts,
/// copying kept entries from `old` (the snapshot they lie in), to a
/// temporary file in `temp_dir`, then renames it to `path`.
pub fn write(
    path: &Path,
    temp_dir: &Path,
    stamp: Stamp,
    pieces: &[(usize, Piece)],
    old: Option<&Snapshot>,
    segments: usize,
) -> Result<()> {
    let per = pieces
        .len()
        .div_ceil(segments.clamp(1, MOST_SEGMENTS))
        .max(1);
    let parts: Vec<&[(usize, Piece)]> = pieces.chunks(per).collect();
    // Each part's first key names it in the header.
    let first_keys = parts
        .iter()
        .map(|part| key_of(&part[0].1, old))
        .collect::<Result<Vec<String>>>()?;
    let size_of = |piece: &(usize, Piece)| -> u64 {
        match &piece.1 {
            Piece::Old { span, .. } => span.end - span.start,
            Piece::New(entry) => {
                let mut bytes = Vec::new();
                encode_entry(&mut bytes, entry);
                bytes.len() as u64
            }
        }
    };
    let mut header = Vec::new();
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&LAYOUT.to_le_bytes());
    let Stamp { written_ns, walk } = stamp;
    header.extend_from_slice(&written_ns.to_le_bytes());
    let token = walk.watched.unwrap_or(Token {
        instance: 0,
        generation: 0,
    });
    header.extend_from_slice(&token.instance.to_le_bytes());
    header.extend_from_slice(&token.generation.to_le_bytes());
    header.push(u8::from(walk.clean));
    header.extend_from_slice(&(parts.len() as u32).to_le_bytes());
    let header_len = header_len(first_keys.iter().map(String::as_str));
    // Its checksum follows it.
    let mut offset = header_len as u64 + 4;
    for (part, first_key) in parts.iter().zip(&first_keys) {
        header.extend_from_slice(&offset.to_le_bytes());
        header.extend_from_slice(&(part.len() as u64).to_le_bytes());
        write_str(&mut header, first_key);
        offset += part.iter().map(size_of).sum::<u64>();
    }
    if header.len() != header_len {
        bail!(
            "internal error: the facts header is {} bytes, not {header_len}",
            header.len()
        );
    }
    let sum = crc32fast::hash(&header);
    header.extend_from_slice(&sum.to_le_bytes());
    let mut file = tempfile::Builder::new()
        .prefix(super::TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(temp_dir)
        .context("creating the index's temporary file")?;
    {
        let mut out = BufWriter::with_capacity(256 * 1024, file.as_file_mut());
        out.write_all(&header)?;
        let old = old.map(|snapshot| &snapshot.file);
        let mut bytes = Vec::new();
        let mut i = 0;
        while i < pieces.len() {
            match &pieces[i].1 {
                Piece::New(entry) => {
                    bytes.clear();
                    encode_entry(&mut bytes, entry);
                    out.write_all(&bytes)?;
                    i += 1;
                }
                Piece::Old { span, .. } => {
                    // Neighbouring kept entries are copied in one go.
                    let start = span.start;
                    let mut end = span.end;
                    i += 1;
                    while let Some((_, Piece::Old { span })) = pieces.get(i) {
                        if span.start != end {
                            break;
                        }
                        end = span.end;
                        i += 1;
                    }
                    let file = old.context("internal error: no old index")?;
                    let mut from = At { file, pos: start };
                    let copied = io::copy(&mut (&mut from).take(end - start), &mut out)?;
                    if copied != end - start {
                        bail!("the index changed while it was rewritten");
                    }
                }
            }
        }
        out.flush()?;
    }
    // A cache: no sync, since losing it only costs a rebuild.
    file.persist(path)
        .map_err(|e| e.error)
        .context("writing the index")?;
    Ok(())
}

/// The length of a header naming segments that start at these keys,
/// without its checksum.
fn header_len<'k>(first_keys: impl Iterator<Item = &'k str>) -> usize {
    let fixed = MAGIC.len() + 4 + 8 + 8 + 8 + 1 + 4;
    fixed + first_keys.map(|key| 8 + 8 + 4 + key.len()).sum::<usize>()
}

/// The key of the entry `piece` stands for: a kept entry's is read from
/// where it lies in `old`.
fn key_of(piece: &Piece, old: Option<&Snapshot>) -> Result<String> {
    match piece {
        Piece::New(entry) => Ok(entry.key.clone()),
        Piece::Old { span } => {
            let file = &old.context("internal error: no old index")?.file;
            let mut at = At {
                file,
                pos: span.start,
            };
            let key = read_str(&mut at).context("reading the old index")?;
            Ok(key)
        }
    }
}

/// One entry's bytes, then their CRC-32.
fn encode_entry(out: &mut Vec<u8>, entry: &Entry) {
    let start = out.len();
    write_str(out, &entry.key);
    out.extend_from_slice(&entry.identity.size.to_le_bytes());
    out.extend_from_slice(&entry.identity.mtime_ns.to_le_bytes());
    out.extend_from_slice(&entry.identity.ctime_ns.to_le_bytes());
    out.extend_from_slice(&entry.identity.inode.to_le_bytes());
    match &entry.known {
        Known::Digest(bytes) => {
            out.push(0);
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(bytes);
        }
        Known::Invalid { line, message } => {
            out.push(1);
            out.extend_from_slice(&(*line as u64).to_le_bytes());
            write_str(out, message);
        }
    }
    let sum = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn read_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_u64(r: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn read_i64(r: &mut impl Read) -> io::Result<i64> {
    read_u64(r).map(|v| v as i64)
}

/// Bytes with a length before them; a length no entry can have is a
/// damaged file, not an allocation.
fn read_bytes(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let len = read_u32(r)? as usize;
    if len > crate::limits::CASE_FILE_BYTES as usize {
        return Err(io::Error::other("not a caselog facts file"));
    }
    let mut bytes = vec![0u8; len];
    r.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn read_str(r: &mut impl Read) -> io::Result<String> {
    String::from_utf8(read_bytes(r)?).map_err(|_| io::Error::other("not a caselog facts file"))
}

/// Removes a snapshot (to force a rebuild); fine when there is none.
pub fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).context("removing the index"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot of entries with these digest sizes (and one invalid
    /// file), written as a pass writes one, in `segments` parts.
    fn written(dir: &Path, sizes: &[usize], segments: usize) -> (std::path::PathBuf, Vec<Entry>) {
        let entries: Vec<Entry> = sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| Entry {
                key: format!("2026{SEP}11{SEP}{i:05}.toml", SEP = super::super::SEPARATOR),
                identity: Identity {
                    size: i as u64,
                    mtime_ns: 1_000 + i as i64,
                    ctime_ns: -(i as i64),
                    inode: u64::MAX - i as u64,
                },
                known: if size == 0 {
                    Known::Invalid {
                        line: 7,
                        message: "bad ü".into(),
                    }
                } else {
                    Known::Digest((0..size).map(|b| (b * 31 + i) as u8).collect())
                },
            })
            .collect();
        let pieces: Vec<(usize, Piece)> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (i, Piece::New(Box::new(e.clone()))))
            .collect();
        let path = dir.join(FILE);
        write(
            &path,
            dir,
            Stamp {
                written_ns: 42,
                walk: WalkRecord::default(),
            },
            &pieces,
            None,
            segments,
        )
        .unwrap();
        (path, entries)
    }

    /// Every entry of every segment, as read, with its bytes in the file;
    /// or the first error.
    fn read_back(path: &Path) -> io::Result<Vec<(Entry, Vec<u8>)>> {
        let Some(snapshot) = Snapshot::open(path) else {
            return Err(io::Error::other("no snapshot"));
        };
        let bytes = fs::read(path)?;
        let mut out = Vec::new();
        for (_, mut reader) in segment_readers(&snapshot) {
            while reader.advance()? {
                let known = match reader.known() {
                    Some(KnownRef::Digest(d)) => Known::Digest(d.to_vec()),
                    Some(KnownRef::Invalid { line, message }) => Known::Invalid {
                        line,
                        message: String::from_utf8(message.to_vec()).unwrap(),
                    },
                    None => panic!("an entry with nothing known"),
                };
                let span = reader.span();
                out.push((
                    Entry {
                        key: String::from_utf8(reader.key().unwrap().to_vec()).unwrap(),
                        identity: reader.identity().unwrap(),
                        known,
                    },
                    bytes[span.start as usize..span.end as usize].to_vec(),
                ));
            }
        }
        Ok(out)
    }

    #[test]
    fn entries_read_back_in_place_across_the_window_s_edges() {
        let dir = tempfile::tempdir().unwrap();
        // Small ones, one bigger than the window, ones that straddle it.
        let mut sizes = vec![10, 300 * 1024, 0, 200 * 1024, 1];
        sizes.extend(std::iter::repeat_n(4000, 200));
        sizes.push(WINDOW_BYTES - 40);
        for segments in [1, 2, 3] {
            let (path, entries) = written(dir.path(), &sizes, segments);
            let read = read_back(&path).unwrap();
            assert_eq!(read.len(), entries.len());
            for ((got, bytes), want) in read.iter().zip(&entries) {
                assert_eq!(got.key, want.key);
                assert_eq!(got.identity, want.identity);
                assert_eq!(got.known, want.known);
                let mut encoded = Vec::new();
                encode_entry(&mut encoded, want);
                assert_eq!(bytes, &encoded, "the span of {}", want.key);
            }
        }
    }

    #[test]
    fn kept_entries_are_copied_whole_and_name_their_segments() {
        let dir = tempfile::tempdir().unwrap();
        let (path, entries) = written(dir.path(), &[10, 0, 300 * 1024, 20, 7, 5], 2);
        let old = Snapshot::open(&path).unwrap();
        let mut pieces = Vec::new();
        for (i, (_, mut reader)) in segment_readers(&old).into_iter().enumerate() {
            while reader.advance().unwrap() {
                pieces.push((
                    i,
                    Piece::Old {
                        span: reader.span(),
                    },
                ));
            }
        }
        // One new entry among the kept ones, and more segments than before.
        let mut new = entries[3].clone();
        new.known = Known::Digest(vec![1, 2, 3]);
        pieces[3] = (3, Piece::New(Box::new(new.clone())));
        let copy = dir.path().join("copy");
        let stamp = Stamp {
            written_ns: 43,
            walk: WalkRecord::default(),
        };
        write(&copy, dir.path(), stamp, &pieces, Some(&old), 3).unwrap();
        let read: Vec<Entry> = read_back(&copy)
            .unwrap()
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        let mut want = entries.clone();
        want[3] = new;
        assert_eq!(read, want);
        let rewritten = Snapshot::open(&copy).unwrap();
        let firsts: Vec<&str> = rewritten
            .segments
            .iter()
            .map(|s| s.first_key.as_str())
            .collect();
        assert_eq!(firsts, [&entries[0].key, &entries[2].key, &entries[4].key]);
    }

    #[test]
    fn a_cut_or_damaged_snapshot_reads_as_an_error_never_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let (path, entries) = written(dir.path(), &[10, 0, 300, 20], 2);
        let good = fs::read(&path).unwrap();
        let cut_path = dir.path().join("damaged");
        // Cut anywhere: what is read is a prefix of the entries, or an
        // error.
        for cut in 0..good.len() {
            fs::write(&cut_path, &good[..cut]).unwrap();
            if let Ok(read) = read_back(&cut_path) {
                assert!(read.len() <= entries.len(), "cut at {cut}");
            }
        }
        // Any byte changed: the check or the layout catches it, or the
        // entry it lies in still reads (a changed key or identity is
        // then a mismatch with the walk).
        for at in 0..good.len() {
            for flip in [0x01u8, 0xff] {
                let mut damaged = good.clone();
                damaged[at] ^= flip;
                fs::write(&cut_path, &damaged).unwrap();
                let _ = read_back(&cut_path);
            }
        }
        // A header that does not read as written is no snapshot: the
        // segments it lists say which files there are.
        let header_end = Snapshot::open(&path).unwrap().segments[0].offset as usize;
        for at in 0..header_end {
            let mut damaged = good.clone();
            damaged[at] ^= 0x10;
            fs::write(&cut_path, &damaged).unwrap();
            assert!(
                Snapshot::open(&cut_path).is_none(),
                "byte {at} of the header changed"
            );
        }
        // Lengths no entry can have.
        for hostile in [u32::MAX, 0x8000_0000, 64 * 1024 * 1024 + 1, 65 * 1024] {
            let snapshot = Snapshot::open(&path).unwrap();
            let start = snapshot.segments[0].offset as usize;
            let mut damaged = good.clone();
            damaged[start..start + 4].copy_from_slice(&hostile.to_le_bytes());
            fs::write(&cut_path, &damaged).unwrap();
            assert!(read_back(&cut_path).is_err(), "a key of {hostile} bytes");
        }
    }
}

//! A case's digest: the case without its long texts, in a compact binary
//! form the index keeps and reads back fast.
//!
//! Whole-log commands (`list`, `due`, `report`, hints) need every field and
//! event of every case but none of the free text (summaries, notes), so the
//! index holds exactly [`light`] of each case. The encoding is hand-written
//! (fixed field order, varint lengths, times as seconds) because reading
//! 100,000 digests must cost a fraction of reading the files; a property
//! test keeps it in step with the case model.

use chrono::DateTime;

use crate::case::id::CaseId;
use crate::case::{
    Action, Case, Channel, Complaint, Customer, EditField, Event, FollowUp, Outcome, PersonalField,
    Resolution, Severity, Status, Timestamp, Void, WaitingOn,
};

/// The version of this encoding; a change of it rebuilds every index.
pub const VERSION: u32 = 5;

/// `case` without its long texts: the complaint's summary and wants, the
/// resolution's summary, and each event's text, pluses and minuses,
/// contingency and monitoring, and an edit's old and new values. Everything a deadline, a report, a listing
/// or a repeat-customer match needs is kept, and so is each e-mail's
/// Message-ID (`caselog mail` looks for it in every case).
pub fn light(case: &Case) -> Case {
    let mut light = case.clone();
    light.complaint = Complaint {
        summary: String::new(),
        wants: None,
    };
    if let Some(r) = light.resolution.as_mut() {
        r.summary = String::new();
    }
    for e in &mut light.events {
        e.text = None;
        e.old = None;
        e.new = None;
        e.pros = Vec::new();
        e.cons = Vec::new();
        e.contingency = None;
        e.monitor = None;
    }
    light
}

/// The digest of `case`: its [`light`] form, encoded.
pub fn encode(case: &Case) -> Vec<u8> {
    let mut out = Writer(Vec::with_capacity(256 + 64 * case.events.len()));
    let w = &mut out;
    w.u32(case.format);
    w.str(case.id.as_str());
    w.str(&case.title);
    w.u8(case.status.index());
    w.opt_u8(case.void.map(Void::index));
    w.opt_id(&case.duplicate_of);
    w.u8(case.severity.index());
    w.opt_str(&case.category);
    w.u8(case.channel.index());
    w.len(case.tags.len());
    for tag in &case.tags {
        w.str(tag);
    }
    w.time(case.opened_at);
    w.str(&case.opened_by);
    w.opt_str(&case.assignee);
    w.str(&case.customer.name);
    w.opt_str(&case.customer.contact);
    w.opt_u8(case.customer.preferred_contact.map(Channel::index));
    w.opt_str(&case.customer.reference);
    match &case.resolution {
        None => w.u8(0),
        Some(r) => {
            w.u8(1);
            w.opt_bool(r.agreed);
            w.time(r.resolved_at);
            w.str(&r.resolved_by);
            w.opt_u32(r.option);
            w.opt_u8(r.outcome.map(Outcome::index));
            w.opt_str(&r.root_cause);
            w.opt_str(&r.redress);
        }
    }
    match &case.follow_up {
        None => w.u8(0),
        Some(f) => {
            w.u8(1);
            w.time(f.due);
            w.opt_time(f.done_at);
            w.opt_bool(f.satisfied);
        }
    }
    w.len(case.events.len());
    for e in &case.events {
        w.time(e.at);
        w.str(&e.by);
        w.u8(e.action.index());
        w.opt_str(&e.to);
        w.opt_u8(e.field.map(EditField::index));
        w.opt_u32(e.option);
        w.opt_time(e.due);
        w.opt_time(e.until);
        w.opt_u8(e.on.map(WaitingOn::index));
        w.opt_bool(e.satisfied);
        w.opt_u8(e.void.map(Void::index));
        w.opt_id(&e.duplicate_of);
        w.opt_u8(e.outcome.map(Outcome::index));
        w.opt_str(&e.root_cause);
        w.opt_str(&e.redress);
        w.opt_u8(e.how.map(Channel::index));
        w.len(e.fields.len());
        for field in &e.fields {
            w.u8(field.index());
        }
        w.len(e.allowed_card_like_numbers.len());
        for masked in &e.allowed_card_like_numbers {
            w.str(masked);
        }
        w.opt_str(&e.message_id);
        w.opt_str(&e.source_id);
    }
    out.0
}

/// A digest read back: the [`light`] case it was made from, or `None`
/// when the bytes are not a digest of this version (the entry is then
/// read again from its file).
#[cfg(test)]
pub fn decode(bytes: &[u8]) -> Option<Case> {
    decode_reusing(bytes, None)
}

/// [`decode`], building the case in the strings and events of `spare`
/// (a case decoded before and no longer needed): a pass over 100,000
/// digests then allocates next to nothing.
pub fn decode_reusing(bytes: &[u8], spare: Option<Case>) -> Option<Case> {
    let mut old = Spare::from(spare);
    let r = &mut Reader { bytes, at: 0 };
    let format = r.u32()?;
    let id = CaseId::parse_full(r.str()?)?;
    let title = reuse(&mut old.title, r.str()?);
    let status = Status::from_index(r.u8()?)?;
    let void = r.opt_word(Void::from_index)?;
    let duplicate_of = r.opt_id()?;
    let severity = Severity::from_index(r.u8()?)?;
    let category = reuse_opt(&mut old.category, r.opt_str()?);
    let channel = Channel::from_index(r.u8()?)?;
    let mut tags = std::mem::take(&mut old.tags);
    let count = r.len()?;
    tags.truncate(count);
    for i in 0..count {
        let tag = r.str()?;
        match tags.get_mut(i) {
            Some(kept) => {
                kept.clear();
                kept.push_str(tag);
            }
            None => tags.push(tag.to_string()),
        }
    }
    let opened_at = r.time()?;
    let opened_by = reuse(&mut old.opened_by, r.str()?);
    let assignee = reuse_opt(&mut old.assignee, r.opt_str()?);
    let customer = Customer {
        name: reuse(&mut old.customer.name, r.str()?),
        contact: reuse_opt(&mut old.customer.contact, r.opt_str()?),
        preferred_contact: r.opt_word(Channel::from_index)?,
        reference: reuse_opt(&mut old.customer.reference, r.opt_str()?),
    };
    let resolution = match r.u8()? {
        0 => None,
        1 => {
            let (mut resolved_by, mut root_cause, mut redress) = match old.resolution.take() {
                Some(kept) => (kept.resolved_by, kept.root_cause, kept.redress),
                None => Default::default(),
            };
            Some(Resolution {
                summary: String::new(),
                agreed: r.opt_bool()?,
                resolved_at: r.time()?,
                resolved_by: reuse(&mut resolved_by, r.str()?),
                option: r.opt_u32()?,
                outcome: r.opt_word(Outcome::from_index)?,
                root_cause: reuse_opt(&mut root_cause, r.opt_str()?),
                redress: reuse_opt(&mut redress, r.opt_str()?),
            })
        }
        _ => return None,
    };
    let follow_up = match r.u8()? {
        0 => None,
        1 => Some(FollowUp {
            due: r.time()?,
            done_at: r.opt_time()?,
            satisfied: r.opt_bool()?,
        }),
        _ => return None,
    };
    let count = r.len()?;
    let mut events = std::mem::take(&mut old.events);
    events.truncate(count);
    events.reserve(count.min(4096).saturating_sub(events.len()));
    for i in 0..count {
        let (mut by, mut to) = match events.get_mut(i) {
            Some(kept) => (std::mem::take(&mut kept.by), kept.to.take()),
            None => (String::new(), None),
        };
        let event = Event {
            at: r.time()?,
            by: reuse(&mut by, r.str()?),
            action: Action::from_index(r.u8()?)?,
            to: reuse_opt(&mut to, r.opt_str()?),
            field: r.opt_word(EditField::from_index)?,
            old: None,
            new: None,
            option: r.opt_u32()?,
            due: r.opt_time()?,
            until: r.opt_time()?,
            on: r.opt_word(WaitingOn::from_index)?,
            satisfied: r.opt_bool()?,
            void: r.opt_word(Void::from_index)?,
            duplicate_of: r.opt_id()?,
            outcome: r.opt_word(Outcome::from_index)?,
            root_cause: r.opt_string()?,
            redress: r.opt_string()?,
            how: r.opt_word(Channel::from_index)?,
            pros: Vec::new(),
            cons: Vec::new(),
            contingency: None,
            monitor: None,
            fields: (0..r.len()?)
                .map(|_| PersonalField::from_index(r.u8()?))
                .collect::<Option<Vec<_>>>()?,
            allowed_card_like_numbers: (0..r.len()?)
                .map(|_| r.string())
                .collect::<Option<Vec<_>>>()?,
            message_id: r.opt_string()?,
            source_id: r.opt_string()?,
            text: None,
        };
        match events.get_mut(i) {
            Some(slot) => *slot = event,
            None => events.push(event),
        }
    }
    (r.at == bytes.len()).then_some(Case {
        format,
        id,
        title,
        status,
        void,
        duplicate_of,
        severity,
        category,
        channel,
        tags,
        opened_at,
        opened_by,
        assignee,
        customer,
        complaint: Complaint {
            summary: String::new(),
            wants: None,
        },
        resolution,
        follow_up,
        events,
    })
}

/// What a spare case lends a decode: its strings and lists.
#[derive(Default)]
struct Spare {
    title: String,
    category: Option<String>,
    tags: Vec<String>,
    opened_by: String,
    assignee: Option<String>,
    customer: SpareCustomer,
    resolution: Option<Resolution>,
    events: Vec<Event>,
}

/// A spare customer's strings.
#[derive(Default)]
struct SpareCustomer {
    name: String,
    contact: Option<String>,
    reference: Option<String>,
}

impl From<Option<Case>> for Spare {
    fn from(case: Option<Case>) -> Spare {
        let Some(case) = case else {
            return Spare::default();
        };
        Spare {
            title: case.title,
            category: case.category,
            tags: case.tags,
            opened_by: case.opened_by,
            assignee: case.assignee,
            customer: SpareCustomer {
                name: case.customer.name,
                contact: case.customer.contact,
                reference: case.customer.reference,
            },
            resolution: case.resolution,
            events: case.events,
        }
    }
}

/// `text` in `spare`'s allocation.
fn reuse(spare: &mut String, text: &str) -> String {
    let mut out = std::mem::take(spare);
    out.clear();
    out.push_str(text);
    out
}

/// `text`, when there is one, in `spare`'s allocation.
fn reuse_opt(spare: &mut Option<String>, text: Option<&str>) -> Option<String> {
    let text = text?;
    let mut out = spare.take().unwrap_or_default();
    out.clear();
    out.push_str(text);
    Some(out)
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    /// LEB128: small numbers, small bytes.
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn u32(&mut self, v: u32) {
        self.varint(u64::from(v));
    }

    fn len(&mut self, v: usize) {
        self.varint(v as u64);
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: &Option<String>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }

    fn opt_id(&mut self, id: &Option<CaseId>) {
        match id {
            None => self.u8(0),
            Some(id) => {
                self.u8(1);
                self.str(id.as_str());
            }
        }
    }

    fn opt_u8(&mut self, v: Option<u8>) {
        // 0 is "none"; a value is stored plus one.
        self.u8(v.map_or(0, |v| v + 1));
    }

    fn opt_u32(&mut self, v: Option<u32>) {
        self.varint(v.map_or(0, |v| u64::from(v) + 1));
    }

    fn opt_bool(&mut self, v: Option<bool>) {
        self.u8(match v {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
    }

    fn time(&mut self, t: Timestamp) {
        // Zig-zag, so times before 1970 stay small too.
        let s = t.0.timestamp();
        self.varint(((s << 1) ^ (s >> 63)) as u64);
    }

    fn opt_time(&mut self, t: Option<Timestamp>) {
        match t {
            None => self.u8(0),
            Some(t) => {
                self.u8(1);
                self.time(t);
            }
        }
    }
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn u8(&mut self) -> Option<u8> {
        let v = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(v)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            v |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(v);
            }
        }
        None
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.varint()?).ok()
    }

    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        // No length can exceed what is left to read.
        (n <= self.bytes.len() - self.at).then_some(n)
    }

    fn str(&mut self) -> Option<&'b str> {
        let n = self.len()?;
        let s = std::str::from_utf8(self.bytes.get(self.at..self.at + n)?).ok()?;
        self.at += n;
        Some(s)
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    fn opt_str(&mut self) -> Option<Option<&'b str>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.str()?)),
            _ => None,
        }
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }

    fn opt_id(&mut self) -> Option<Option<CaseId>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(CaseId::parse_full(self.str()?)?)),
            _ => None,
        }
    }

    fn opt_word<T>(&mut self, word: fn(u8) -> Option<T>) -> Option<Option<T>> {
        match self.u8()? {
            0 => Some(None),
            n => Some(Some(word(n - 1)?)),
        }
    }

    fn opt_u32(&mut self) -> Option<Option<u32>> {
        match self.varint()? {
            0 => Some(None),
            n => Some(Some(u32::try_from(n - 1).ok()?)),
        }
    }

    fn opt_bool(&mut self) -> Option<Option<bool>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(false)),
            2 => Some(Some(true)),
            _ => None,
        }
    }

    fn time(&mut self) -> Option<Timestamp> {
        let z = self.varint()?;
        let s = ((z >> 1) as i64) ^ -((z & 1) as i64);
        DateTime::from_timestamp(s, 0).map(Timestamp)
    }

    fn opt_time(&mut self) -> Option<Option<Timestamp>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.time()?)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::file::{parse, render};
    use crate::case::lifecycle::tests::{at, opened, resolved, stamp};
    use crate::case::lifecycle::{self, Agreement};

    fn round_trips(case: &Case) {
        assert_eq!(decode(&encode(case)), Some(light(case)), "{}", render(case));
    }

    #[test]
    fn every_kind_of_case_reads_back_as_its_light_form() {
        let base = opened();
        round_trips(&base);
        let mut full = resolved();
        full = lifecycle::record_follow_up(&full, &stamp(60), Some(false), Some("Still broken"))
            .unwrap();
        full = lifecycle::propose(
            &full,
            &stamp(61),
            "Swap",
            &["quick".into()],
            &["cost".into()],
        )
        .unwrap();
        let option = full.events.last().unwrap().option.unwrap();
        full = lifecycle::agree(
            &full,
            &stamp(62),
            option,
            Agreement {
                how: Some(Channel::Phone),
                contingency: Some("if late".into()),
                monitor: None,
                ..Agreement::default()
            },
        )
        .unwrap();
        full = lifecycle::wait(
            &full,
            &stamp(63),
            lifecycle::Wait {
                on: Some(WaitingOn::ThirdParty),
                until: Some(at(90)),
                reason: Some("parts"),
            },
        )
        .unwrap();
        full = lifecycle::edit(
            &full,
            &stamp(64),
            &[
                lifecycle::Correction::Set(EditField::Title, Some("Vase cracked".into())),
                lifecycle::Correction::AddTag("glass".into()),
            ],
        )
        .unwrap();
        full.events.last_mut().unwrap().allowed_card_like_numbers =
            vec!["**** **** **** 1111".into()];
        full = crate::case::message::receive(
            &full,
            &stamp(65),
            &crate::case::message::Message {
                id: Some("CAF1@mail.example.com".into()),
                text: "E-mail from Jo".into(),
            },
        )
        .unwrap();
        assert!(full.events.last().unwrap().message_id.is_some());
        round_trips(&full);
        let mut redacted = full.clone();
        let mut event = Event::new(at(70), "ana", Action::Redacted).with_text("erasure request");
        event.fields = vec![PersonalField::Customer, PersonalField::Notes];
        redacted.events.push(event);
        round_trips(&redacted);
        let other = CaseId::parse_full("20261121-8kq3m").unwrap();
        let void = lifecycle::close_void(
            &opened(),
            &stamp(2),
            &lifecycle::Voiding::DuplicateOf(other),
            None,
        )
        .unwrap();
        assert!(void.void.is_some() && void.duplicate_of.is_some());
        round_trips(&void);
        // Hand-written files may hold what the lifecycle never writes.
        let mut odd = full.clone();
        odd.tags = vec!["ünïcode".into(), String::new()];
        odd.category = Some("a\u{202e}b".into());
        odd.opened_at = Timestamp("1969-07-20T20:17:40Z".parse().unwrap());
        round_trips(&odd);
        assert_eq!(parse("x", &render(&light(&full))).unwrap(), light(&full));
        // Built in the strings and events of any other case, a case reads
        // back the same: nothing of the spare is left in it.
        let kinds = [base, full, redacted, void, odd];
        for spare in &kinds {
            for case in &kinds {
                assert_eq!(
                    decode_reusing(&encode(case), decode(&encode(spare))),
                    Some(light(case)),
                    "{} in the place of {}",
                    render(case),
                    render(spare)
                );
            }
        }
    }

    #[test]
    fn anything_but_a_digest_is_not_read_as_one() {
        let bytes = encode(&resolved());
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        assert_eq!(decode(&[0xff; 64]), None);
    }
}

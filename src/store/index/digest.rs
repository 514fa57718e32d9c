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
pub fn decode(bytes: &[u8]) -> Option<Case> {
    let r = &mut Reader { bytes, at: 0 };
    let format = r.u32()?;
    let id = CaseId::parse_full(r.str()?)?;
    let title = r.string()?;
    let status = Status::from_index(r.u8()?)?;
    let void = r.opt_word(Void::from_index)?;
    let duplicate_of = r.opt_id()?;
    let severity = Severity::from_index(r.u8()?)?;
    let category = r.opt_string()?;
    let channel = Channel::from_index(r.u8()?)?;
    let tags = (0..r.len()?)
        .map(|_| r.string())
        .collect::<Option<Vec<_>>>()?;
    let opened_at = r.time()?;
    let opened_by = r.string()?;
    let assignee = r.opt_string()?;
    let customer = Customer {
        name: r.string()?,
        contact: r.opt_string()?,
        preferred_contact: r.opt_word(Channel::from_index)?,
        reference: r.opt_string()?,
    };
    let resolution = match r.u8()? {
        0 => None,
        1 => Some(Resolution {
            summary: String::new(),
            agreed: r.opt_bool()?,
            resolved_at: r.time()?,
            resolved_by: r.string()?,
            option: r.opt_u32()?,
            outcome: r.opt_word(Outcome::from_index)?,
            root_cause: r.opt_string()?,
            redress: r.opt_string()?,
        }),
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
    let mut events = Vec::with_capacity(count.min(4096));
    for _ in 0..count {
        let at = r.time()?;
        let by = r.str()?;
        let action = Action::from_index(r.u8()?)?;
        let mut e = Event::new(at.0, by, action);
        e.to = r.opt_string()?;
        e.field = r.opt_word(EditField::from_index)?;
        e.option = r.opt_u32()?;
        e.due = r.opt_time()?;
        e.until = r.opt_time()?;
        e.on = r.opt_word(WaitingOn::from_index)?;
        e.satisfied = r.opt_bool()?;
        e.void = r.opt_word(Void::from_index)?;
        e.duplicate_of = r.opt_id()?;
        e.outcome = r.opt_word(Outcome::from_index)?;
        e.root_cause = r.opt_string()?;
        e.redress = r.opt_string()?;
        e.how = r.opt_word(Channel::from_index)?;
        e.fields = (0..r.len()?)
            .map(|_| PersonalField::from_index(r.u8()?))
            .collect::<Option<Vec<_>>>()?;
        e.allowed_card_like_numbers = (0..r.len()?)
            .map(|_| r.string())
            .collect::<Option<Vec<_>>>()?;
        e.message_id = r.opt_string()?;
        e.source_id = r.opt_string()?;
        events.push(e);
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

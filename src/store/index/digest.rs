//! A case's digest: the case without its long texts, in a compact binary
//! form the index keeps and reads back fast.
//!
//! Whole-log commands (`list`, `due`, `report`, hints) need every field and
//! event of every case but none of the free text (summaries, notes), so the
//! index holds exactly [`light`] of each case. The encoding is hand-written
//! (fixed field order, varint lengths, times as seconds, each event's time
//! from the one before, each person named once and then by their place,
//! an event's optional parts behind a varint of flags, the common ones in
//! its first byte, every text in one block ahead of the rest, so it is
//! checked as UTF-8 once rather than text by text) because reading
//! 100,000 digests must cost a fraction of reading the files; property
//! tests keep it in step with the case model.

use chrono::DateTime;

use crate::case::id::CaseId;
use crate::case::{
    Action, Case, Channel, Complaint, Customer, EditField, Event, FollowUp, Glance, Outcome,
    PersonalField, Resolution, Severity, Status, Timestamp, Void, WaitingOn,
};

/// The version of this encoding; a change of it rebuilds every index.
pub const VERSION: u32 = 7;

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
    let mut out = Writer {
        bytes: Vec::with_capacity(64 + 16 * case.events.len()),
        texts: Vec::with_capacity(256),
        people: Vec::new(),
    };
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
    w.person(&case.opened_by);
    w.opt_person(&case.assignee);
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
            w.person(&r.resolved_by);
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
    let mut clock = case.opened_at;
    for e in &case.events {
        w.time_from(clock, e.at);
        clock = e.at;
        w.person(&e.by);
        w.u8(e.action.index());
        w.varint(u64::from(EventFields::of(e).0));
        if let Some(to) = &e.to {
            w.person(to);
        }
        if let Some(due) = e.due {
            w.time_from(e.at, due);
        }
        if let Some(satisfied) = e.satisfied {
            w.u8(u8::from(satisfied));
        }
        if let Some(how) = e.how {
            w.u8(how.index());
        }
        if let Some(outcome) = e.outcome {
            w.u8(outcome.index());
        }
        if let Some(root_cause) = &e.root_cause {
            w.str(root_cause);
        }
        if let Some(redress) = &e.redress {
            w.str(redress);
        }
        if let Some(field) = e.field {
            w.u8(field.index());
        }
        if let Some(option) = e.option {
            w.u32(option);
        }
        if let Some(until) = e.until {
            w.time_from(e.at, until);
        }
        if let Some(on) = e.on {
            w.u8(on.index());
        }
        if let Some(void) = e.void {
            w.u8(void.index());
        }
        if let Some(id) = &e.duplicate_of {
            w.str(id.as_str());
        }
        if !e.fields.is_empty() {
            w.len(e.fields.len());
            for field in &e.fields {
                w.u8(field.index());
            }
        }
        if !e.allowed_card_like_numbers.is_empty() {
            w.len(e.allowed_card_like_numbers.len());
            for masked in &e.allowed_card_like_numbers {
                w.str(masked);
            }
        }
        if let Some(id) = &e.message_id {
            w.str(id);
        }
        if let Some(id) = &e.source_id {
            w.str(id);
        }
    }
    let mut digest = Vec::with_capacity(out.texts.len() + out.bytes.len() + 4);
    varint_into(&mut digest, out.texts.len() as u64);
    digest.extend_from_slice(&out.texts);
    digest.extend_from_slice(&out.bytes);
    digest
}

/// LEB128: small numbers, small bytes.
fn varint_into(bytes: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        bytes.push((v as u8) | 0x80);
        v >>= 7;
    }
    bytes.push(v as u8);
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
    let r = &mut Reader::new(bytes, true)?;
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
    let opened_by = reuse(&mut old.opened_by, r.person()?);
    let assignee = reuse_opt(&mut old.assignee, r.opt_person()?);
    let customer = Customer {
        name: reuse(&mut old.customer.name, r.str()?),
        contact: reuse_opt(&mut old.customer.contact, r.opt_str()?),
        preferred_contact: r.opt_word(Channel::from_index)?,
        reference: reuse_opt(&mut old.customer.reference, r.opt_str()?),
    };
    let resolution = r.opt(|r| {
        let (mut resolved_by, mut root_cause, mut redress) = match old.resolution.take() {
            Some(kept) => (kept.resolved_by, kept.root_cause, kept.redress),
            None => Default::default(),
        };
        Some(Resolution {
            summary: String::new(),
            agreed: r.opt_bool()?,
            resolved_at: r.time()?,
            resolved_by: reuse(&mut resolved_by, r.person()?),
            option: r.opt_u32()?,
            outcome: r.opt_word(Outcome::from_index)?,
            root_cause: reuse_opt(&mut root_cause, r.opt_str()?),
            redress: reuse_opt(&mut redress, r.opt_str()?),
        })
    })?;
    let follow_up = r.follow_up()?;
    let count = r.len()?;
    let mut events = std::mem::take(&mut old.events);
    events.truncate(count);
    events.reserve(count.min(4096).saturating_sub(events.len()));
    let mut clock = opened_at;
    for i in 0..count {
        let at = r.time_from(clock)?;
        clock = at;
        let by = r.person()?;
        let action = Action::from_index(r.u8()?)?;
        if i == events.len() {
            events.push(Event::new(at.0, "", action));
        }
        // Filled in place: an event is some 400 bytes, and building each
        // anew, moving it in and dropping the one it replaces cost a
        // pass over 100,000 digests a tenth of its time.
        let event = &mut events[i];
        event.at = at;
        event.action = action;
        event.by.clear();
        event.by.push_str(by);
        read_event_parts(r, event)?;
    }
    (r.at == bytes.len() && r.text_at == r.texts.len()).then_some(Case {
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

/// A digest's [`Glance`], its texts passed over unread (not even checked
/// as UTF-8) and its events not reached: `None` when the bytes up to its
/// follow-up are not a digest's. A case passed over on its glance is
/// never read, so what lies beyond what the glance reads is not checked.
pub fn glance(bytes: &[u8]) -> Option<Glance> {
    let r = &mut Reader::new(bytes, false)?;
    r.u32()?;
    r.skip_str()?;
    r.skip_str()?;
    let status = Status::from_index(r.u8()?)?;
    let void = r.opt_word(Void::from_index)?;
    r.skip_opt_str()?;
    let severity = Severity::from_index(r.u8()?)?;
    r.skip_opt_str()?;
    Channel::from_index(r.u8()?)?;
    for _ in 0..r.len()? {
        r.skip_str()?;
    }
    r.signed()?;
    r.skip_person()?;
    if r.flag()? {
        r.skip_person()?;
    }
    r.skip_str()?;
    r.skip_opt_str()?;
    r.opt_word(Channel::from_index)?;
    r.skip_opt_str()?;
    if r.flag()? {
        r.opt_bool()?;
        r.signed()?;
        r.skip_person()?;
        r.opt_u32()?;
        r.opt_word(Outcome::from_index)?;
        r.skip_opt_str()?;
        r.skip_opt_str()?;
    }
    Some(Glance {
        status,
        void,
        severity,
        follow_up: r.follow_up()?,
    })
}

/// Reads an event's optional parts, in the order [`encode`] writes them,
/// into `event` (whose time, author and action are read), in the strings
/// it already holds; what the digest leaves out is cleared.
fn read_event_parts(r: &mut Reader<'_>, event: &mut Event) -> Option<()> {
    let parts = EventFields(u32::try_from(r.varint()?).ok()?);
    if parts.0 & !EventFields::ALL != 0 {
        return None;
    }
    let has = |bit| parts.has(bit);
    let at = event.at;
    refill(&mut event.to, part(has(EventFields::TO), || r.person())?);
    event.due = part(has(EventFields::DUE), || r.time_from(at))?;
    event.satisfied = part(has(EventFields::SATISFIED), || r.flag())?;
    event.how = part(has(EventFields::HOW), || r.word(Channel::from_index))?;
    event.outcome = part(has(EventFields::OUTCOME), || r.word(Outcome::from_index))?;
    refill(
        &mut event.root_cause,
        part(has(EventFields::ROOT_CAUSE), || r.str())?,
    );
    refill(
        &mut event.redress,
        part(has(EventFields::REDRESS), || r.str())?,
    );
    event.field = part(has(EventFields::FIELD), || r.word(EditField::from_index))?;
    event.option = part(has(EventFields::OPTION), || r.u32())?;
    event.until = part(has(EventFields::UNTIL), || r.time_from(at))?;
    event.on = part(has(EventFields::ON), || r.word(WaitingOn::from_index))?;
    event.void = part(has(EventFields::VOID), || r.word(Void::from_index))?;
    event.duplicate_of = part(has(EventFields::DUPLICATE_OF), || {
        CaseId::parse_full(r.str()?)
    })?;
    event.fields.clear();
    if has(EventFields::PERSONAL) {
        let n = r.len()?;
        if n == 0 {
            return None;
        }
        for _ in 0..n {
            event.fields.push(PersonalField::from_index(r.u8()?)?);
        }
    }
    event.allowed_card_like_numbers.clear();
    if has(EventFields::CARD_LIKE) {
        let n = r.len()?;
        if n == 0 {
            return None;
        }
        for _ in 0..n {
            event.allowed_card_like_numbers.push(r.string()?);
        }
    }
    refill(
        &mut event.message_id,
        part(has(EventFields::MESSAGE_ID), || r.str())?,
    );
    refill(
        &mut event.source_id,
        part(has(EventFields::SOURCE_ID), || r.str())?,
    );
    event.old = None;
    event.new = None;
    event.pros.clear();
    event.cons.clear();
    event.contingency = None;
    event.monitor = None;
    event.text = None;
    Some(())
}

/// `slot` holding `text`, in the string it already has.
fn refill(slot: &mut Option<String>, text: Option<&str>) {
    match text {
        Some(text) => {
            let kept = slot.get_or_insert_default();
            kept.clear();
            kept.push_str(text);
        }
        None => *slot = None,
    }
}

/// An event's optional part: `None` when absent, the value read when
/// present, and no digest at all when present but unreadable.
fn part<T>(present: bool, read: impl FnOnce() -> Option<T>) -> Option<Option<T>> {
    if present {
        read().map(Some)
    } else {
        Some(None)
    }
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
    refill(spare, text);
    spare.take()
}

/// How many people a digest can name again by their place (most cases
/// have one to three); the rest are written out each time.
const PEOPLE: usize = 16;

/// Which of an event's optional parts follow it, one bit each: the
/// common ones first, so most events spend one byte on this.
#[derive(Clone, Copy)]
struct EventFields(u32);

impl EventFields {
    const TO: u32 = 1;
    const DUE: u32 = 1 << 1;
    const SATISFIED: u32 = 1 << 2;
    const HOW: u32 = 1 << 3;
    const OUTCOME: u32 = 1 << 4;
    const ROOT_CAUSE: u32 = 1 << 5;
    const REDRESS: u32 = 1 << 6;
    const FIELD: u32 = 1 << 7;
    const OPTION: u32 = 1 << 8;
    const UNTIL: u32 = 1 << 9;
    const ON: u32 = 1 << 10;
    const VOID: u32 = 1 << 11;
    const DUPLICATE_OF: u32 = 1 << 12;
    const PERSONAL: u32 = 1 << 13;
    const CARD_LIKE: u32 = 1 << 14;
    const MESSAGE_ID: u32 = 1 << 15;
    const SOURCE_ID: u32 = 1 << 16;
    const ALL: u32 = (1 << 17) - 1;

    fn of(e: &Event) -> EventFields {
        let parts = [
            (e.to.is_some(), Self::TO),
            (e.due.is_some(), Self::DUE),
            (e.satisfied.is_some(), Self::SATISFIED),
            (e.how.is_some(), Self::HOW),
            (e.outcome.is_some(), Self::OUTCOME),
            (e.root_cause.is_some(), Self::ROOT_CAUSE),
            (e.redress.is_some(), Self::REDRESS),
            (e.field.is_some(), Self::FIELD),
            (e.option.is_some(), Self::OPTION),
            (e.until.is_some(), Self::UNTIL),
            (e.on.is_some(), Self::ON),
            (e.void.is_some(), Self::VOID),
            (e.duplicate_of.is_some(), Self::DUPLICATE_OF),
            (!e.fields.is_empty(), Self::PERSONAL),
            (!e.allowed_card_like_numbers.is_empty(), Self::CARD_LIKE),
            (e.message_id.is_some(), Self::MESSAGE_ID),
            (e.source_id.is_some(), Self::SOURCE_ID),
        ];
        EventFields(
            parts
                .iter()
                .filter(|(present, _)| *present)
                .fold(0, |bits, (_, bit)| bits | bit),
        )
    }

    fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}

struct Writer<'c> {
    bytes: Vec<u8>,
    /// Every text, in the order written; `bytes` holds their lengths.
    texts: Vec<u8>,
    /// The people named so far, each named again by its place.
    people: Vec<&'c str>,
}

impl<'c> Writer<'c> {
    fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    fn varint(&mut self, v: u64) {
        varint_into(&mut self.bytes, v);
    }

    fn u32(&mut self, v: u32) {
        self.varint(u64::from(v));
    }

    fn len(&mut self, v: usize) {
        self.varint(v as u64);
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.texts.extend_from_slice(s.as_bytes());
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

    /// A person: their place among those named before (plus one), or 0
    /// and the name.
    fn person(&mut self, who: &'c str) {
        match self.people.iter().position(|p| *p == who) {
            Some(place) => self.varint(place as u64 + 1),
            None => {
                self.u8(0);
                self.str(who);
                if self.people.len() < PEOPLE {
                    self.people.push(who);
                }
            }
        }
    }

    fn opt_person(&mut self, who: &'c Option<String>) {
        match who {
            None => self.u8(0),
            Some(who) => {
                self.u8(1);
                self.person(who);
            }
        }
    }

    /// Zig-zag, so numbers below zero (times before 1970, or before the
    /// time they are counted from) stay small too.
    fn signed(&mut self, s: i64) {
        self.varint(((s << 1) ^ (s >> 63)) as u64);
    }

    /// A time as the seconds from an earlier one (events follow each
    /// other closely, so the difference is a byte or three).
    fn time_from(&mut self, from: Timestamp, t: Timestamp) {
        self.signed(t.0.timestamp().wrapping_sub(from.0.timestamp()));
    }

    fn time(&mut self, t: Timestamp) {
        self.signed(t.0.timestamp());
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
    /// The digest's texts, one after another, and where the next begins.
    /// Empty when they are not to be read (a glance passes over them).
    texts: &'b str,
    text_at: usize,
    /// How many bytes of texts there are, read or not.
    texts_len: usize,
    /// The people named so far, as [`Writer::person`] numbers them.
    people: [&'b str; PEOPLE],
    named: usize,
    /// The last time read, in seconds and as its calendar day: a case's
    /// times are mostly read from the one before and fall on few days,
    /// and turning seconds into a date (and back) is most of a time's
    /// cost.
    last: Option<(i64, Timestamp)>,
}

impl<'b> Reader<'b> {
    /// A reader of `bytes` past its block of texts, which is checked as
    /// UTF-8 when they are to be `read`.
    fn new(bytes: &'b [u8], read: bool) -> Option<Reader<'b>> {
        let mut r = Reader {
            bytes,
            at: 0,
            texts: "",
            text_at: 0,
            texts_len: 0,
            people: [""; PEOPLE],
            named: 0,
            last: None,
        };
        let n = r.len()?;
        let block = r.bytes.get(r.at..r.at + n)?;
        if read {
            r.texts = std::str::from_utf8(block).ok()?;
        }
        r.texts_len = n;
        r.at += n;
        Some(r)
    }

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

    /// The next text's length: never beyond the texts left.
    fn text_len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        (n <= self.texts_len - self.text_at).then_some(n)
    }

    fn str(&mut self) -> Option<&'b str> {
        let n = self.text_len()?;
        // Checked as UTF-8 with the block; `get` refuses a cut through a
        // character (a damaged length).
        let s = self.texts.get(self.text_at..self.text_at + n)?;
        self.text_at += n;
        Some(s)
    }

    /// Passes over a text, unread.
    fn skip_str(&mut self) -> Option<()> {
        let n = self.text_len()?;
        self.text_at += n;
        Some(())
    }

    /// A byte that says no (0) or yes (1): whether an optional part
    /// follows, or a yes-or-no answer.
    fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// An optional part behind its [`Reader::flag`], read by `read`.
    fn opt<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.flag()? {
            read(self).map(Some)
        } else {
            Some(None)
        }
    }

    fn skip_opt_str(&mut self) -> Option<()> {
        if self.flag()? {
            self.skip_str()?;
        }
        Some(())
    }

    /// Passes over a person, named or by place.
    fn skip_person(&mut self) -> Option<()> {
        if self.varint()? == 0 {
            self.skip_str()?;
        }
        Some(())
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    fn opt_str(&mut self) -> Option<Option<&'b str>> {
        self.opt(Self::str)
    }

    fn opt_id(&mut self) -> Option<Option<CaseId>> {
        self.opt(|r| CaseId::parse_full(r.str()?))
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

    fn person(&mut self) -> Option<&'b str> {
        match self.varint()? {
            0 => {
                let who = self.str()?;
                if self.named < PEOPLE {
                    self.people[self.named] = who;
                    self.named += 1;
                }
                Some(who)
            }
            place => {
                let place = usize::try_from(place - 1).ok()?;
                (place < self.named).then(|| self.people[place])
            }
        }
    }

    fn opt_person(&mut self) -> Option<Option<&'b str>> {
        self.opt(Self::person)
    }

    /// What [`Writer::signed`] wrote.
    fn signed(&mut self) -> Option<i64> {
        let z = self.varint()?;
        Some(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn time_from(&mut self, from: Timestamp) -> Option<Timestamp> {
        let from = match self.last {
            Some((seconds, last)) if last == from => seconds,
            _ => from.0.timestamp(),
        };
        let s = from.wrapping_add(self.signed()?);
        self.at_seconds(s)
    }

    /// The time `s` seconds after the epoch, on the last time's day
    /// without asking the calendar when it falls on it.
    fn at_seconds(&mut self, s: i64) -> Option<Timestamp> {
        const DAY: i64 = 86_400;
        let time = match self.last {
            Some((seconds, last)) if s.div_euclid(DAY) == seconds.div_euclid(DAY) => {
                let of_day = u32::try_from(s.rem_euclid(DAY)).ok()?;
                let clock = chrono::NaiveTime::from_num_seconds_from_midnight_opt(of_day, 0)?;
                Timestamp(last.0.date_naive().and_time(clock).and_utc())
            }
            _ => Timestamp(DateTime::from_timestamp(s, 0)?),
        };
        self.last = Some((s, time));
        Some(time)
    }

    fn word<T>(&mut self, word: fn(u8) -> Option<T>) -> Option<T> {
        word(self.u8()?)
    }

    fn time(&mut self) -> Option<Timestamp> {
        let s = self.signed()?;
        self.at_seconds(s)
    }

    fn opt_time(&mut self) -> Option<Option<Timestamp>> {
        self.opt(Self::time)
    }

    /// A case's follow-up, as [`encode`] writes it: read alike by a
    /// decode and a glance.
    fn follow_up(&mut self) -> Option<Option<FollowUp>> {
        self.opt(|r| {
            Some(FollowUp {
                due: r.time()?,
                done_at: r.opt_time()?,
                satisfied: r.opt_bool()?,
            })
        })
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
        assert_eq!(
            glance(&encode(case)),
            Some(case.glance()),
            "{}",
            render(case)
        );
    }

    proptest::proptest! {
        /// A glance passes over every text and person before the
        /// follow-up however many there are and however they are named.
        #[test]
        fn any_case_is_glanced_as_it_is(
            resolved_case in proptest::bool::ANY,
            status in proptest::sample::select(Status::ALL),
            void in proptest::option::of(proptest::sample::select(Void::ALL)),
            severity in proptest::sample::select(Severity::ALL),
            category in proptest::option::of("[a-zé]{0,12}"),
            tags in proptest::collection::vec("[a-z ]{0,6}", 0..4),
            assignee in proptest::option::of(proptest::sample::select(vec!["Sam", "Jo", "Ana Lee"])),
            contact in proptest::option::of("[a-z@.]{0,20}"),
            reference in proptest::option::of("[A-Z0-9-]{0,10}"),
            follow_up in proptest::option::of((0i64..900, proptest::option::of(0i64..900), proptest::option::of(proptest::bool::ANY))),
        ) {
            let mut case = if resolved_case { resolved() } else { opened() };
            case.status = status;
            case.void = void;
            case.severity = severity;
            case.category = category;
            case.tags = tags;
            case.assignee = assignee.map(str::to_string);
            case.customer.contact = contact;
            case.customer.reference = reference;
            case.follow_up = follow_up.map(|(due, done, satisfied)| FollowUp {
                due: at(due).into(),
                done_at: done.map(|h| at(h).into()),
                satisfied,
            });
            proptest::prop_assert_eq!(glance(&encode(&case)), Some(case.glance()));
        }
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

    /// An event with any of its optional parts, by any of a few people,
    /// at any time around the case's opening (earlier ones too).
    fn any_event() -> impl proptest::strategy::Strategy<Value = Event> {
        use proptest::prelude::*;
        // More people than a digest names by their place.
        let mut people: Vec<String> = (0..PEOPLE + 4).map(|i| format!("p{i}")).collect();
        people.extend(["ćeslav".to_string(), String::new()]);
        let who = prop::sample::select(people);
        let word = || proptest::option::of(0u8..12);
        let text = || proptest::option::of("[a-z ]{0,6}");
        (
            (
                -400_000i64..400_000,
                who.clone(),
                0u8..40,
                proptest::option::of(who),
            ),
            (word(), proptest::option::of(any::<u32>()), word(), word()),
            (
                proptest::option::of(-90_000i64..90_000),
                proptest::option::of(any::<bool>()),
            ),
            (
                word(),
                word(),
                text(),
                text(),
                proptest::option::of(any::<bool>()),
            ),
            (
                prop::collection::vec(0u8..8, 0..3),
                prop::collection::vec("[0-9* ]{0,8}", 0..3),
            ),
            (text(), text(), proptest::option::of(-90_000i64..90_000)),
        )
            .prop_filter_map(
                "an action, a word",
                |(
                    (at, by, action, to),
                    (field, option, on, void),
                    (due, satisfied),
                    more,
                    lists,
                    ids,
                )| {
                    let (how, outcome, root_cause, redress, duplicate) = more;
                    let (fields, numbers) = lists;
                    let (message_id, source_id, until) = ids;
                    let mut e = Event::new(at_seconds(at), &by, Action::from_index(action)?);
                    e.to = to;
                    e.field = field.and_then(EditField::from_index);
                    e.option = option;
                    e.on = on.and_then(WaitingOn::from_index);
                    e.void = void.and_then(Void::from_index);
                    e.due = due.map(at_seconds).map(Timestamp);
                    e.until = until.map(at_seconds).map(Timestamp);
                    e.satisfied = satisfied;
                    e.how = how.and_then(Channel::from_index);
                    e.outcome = outcome.and_then(Outcome::from_index);
                    e.root_cause = root_cause;
                    e.redress = redress;
                    e.duplicate_of = duplicate
                        .filter(|d| *d)
                        .and_then(|_| CaseId::parse_full("20261121-8kq3m"));
                    e.fields = fields
                        .into_iter()
                        .filter_map(PersonalField::from_index)
                        .collect();
                    e.allowed_card_like_numbers = numbers;
                    e.message_id = message_id;
                    e.source_id = source_id;
                    Some(e)
                },
            )
    }

    fn at_seconds(offset: i64) -> chrono::DateTime<chrono::Utc> {
        at(0) + chrono::Duration::seconds(offset)
    }

    proptest::proptest! {
        #[test]
        fn any_events_read_back_as_they_were_written(
            events in proptest::collection::vec(any_event(), 0..40),
            spare_events in proptest::collection::vec(any_event(), 0..6),
        ) {
            let mut case = resolved();
            case.events = events;
            let mut spare = opened();
            spare.events = spare_events;
            proptest::prop_assert_eq!(decode(&encode(&case)), Some(light(&case)));
            proptest::prop_assert_eq!(
                decode_reusing(&encode(&case), decode(&encode(&spare))),
                Some(light(&case))
            );
            proptest::prop_assert_eq!(glance(&encode(&case)), Some(case.glance()));
        }
    }
}

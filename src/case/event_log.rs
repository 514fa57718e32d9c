//! The event log's one non-trivial operation: the union of two logs that
//! grew apart on two branches, for the merge driver and for telling what a
//! change added.

use crate::case::file::{event_fields, write_fields};
use crate::case::{Event, Timestamp};

/// Orders two events the same way whichever side they come from.
pub(crate) fn order_key(e: &Event) -> (Timestamp, String) {
    let mut text = String::new();
    write_fields(&mut text, &event_fields(e));
    (e.at, text)
}

/// The union of both logs: the shared start, then both sides' new events
/// interleaved by time, each side's own order kept, and an event both sides
/// added (a cherry-pick, or the same commit reached twice) kept once: two
/// events equal in every field, to the second, the person and the text,
/// are the same event. The result does not depend on which side is ours.
pub fn merge_events(ours: &[Event], theirs: &[Event]) -> Vec<Event> {
    let shared = ours.iter().zip(theirs).take_while(|(a, b)| a == b).count();
    let mut out: Vec<Event> = ours[..shared].to_vec();
    let mut ours = Side::new(&ours[shared..]);
    let mut theirs = Side::new(&theirs[shared..]);
    loop {
        ours.skip_taken();
        theirs.skip_taken();
        let taken = match (ours.head(), theirs.head()) {
            (None, None) => break,
            (Some(a), Some(b)) if a == b => {
                theirs.next += 1;
                ours.take()
            }
            (Some(a), Some(b)) => {
                // An event the other side holds further on waits for it,
                // so neither side's order is broken; otherwise (neither
                // waits, or the two cross) time, then content, decides.
                let take_ours = match (theirs.holds_later(a), ours.holds_later(b)) {
                    (false, true) => true,
                    (true, false) => false,
                    _ => order_key(a) <= order_key(b),
                };
                if take_ours {
                    let a = ours.take();
                    theirs.mark_taken(&a);
                    a
                } else {
                    let b = theirs.take();
                    ours.mark_taken(&b);
                    b
                }
            }
            (Some(_), None) => ours.take(),
            (None, Some(_)) => theirs.take(),
        };
        out.push(taken);
    }
    out
}

/// One side's new events, as the merge walks them.
struct Side<'e> {
    events: &'e [Event],
    next: usize,
    /// Events taken already from the other side, to skip here once each.
    taken: Vec<Event>,
}

impl<'e> Side<'e> {
    fn new(events: &'e [Event]) -> Side<'e> {
        Side {
            events,
            next: 0,
            taken: Vec::new(),
        }
    }

    fn head(&self) -> Option<&'e Event> {
        self.events.get(self.next)
    }

    fn take(&mut self) -> Event {
        self.next += 1;
        self.events[self.next - 1].clone()
    }

    /// Whether `e` comes later on this side (not at its head).
    fn holds_later(&self, e: &Event) -> bool {
        self.events
            .get(self.next + 1..)
            .is_some_and(|rest| rest.contains(e))
    }

    /// Remembers that `e`, taken from the other side, is to be skipped here.
    fn mark_taken(&mut self, e: &Event) {
        if self.events[self.next..].contains(e) {
            self.taken.push(e.clone());
        }
    }

    fn skip_taken(&mut self) {
        while let Some(head) = self.head()
            && let Some(k) = self.taken.iter().position(|t| t == head)
        {
            self.taken.remove(k);
            self.next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Action;
    use crate::case::lifecycle::tests::at;

    fn event(hours: i64, by: &str, action: Action) -> Event {
        Event::new(at(hours), by, action)
    }

    fn note(hours: i64, by: &str, text: &str) -> Event {
        event(hours, by, Action::Note).with_text(text)
    }

    fn texts(events: &[Event]) -> Vec<&str> {
        events
            .iter()
            .map(|e| e.text.as_deref().unwrap_or(""))
            .collect()
    }

    #[test]
    fn a_log_that_only_grew_on_one_side_is_taken_whole() {
        let base = vec![note(0, "ana", "a"), note(1, "ana", "b")];
        let grown = [base.clone(), vec![note(2, "bo", "c")]].concat();
        assert_eq!(merge_events(&base, &grown), grown);
        assert_eq!(merge_events(&grown, &base), grown);
        assert_eq!(merge_events(&base, &base), base);
        assert_eq!(merge_events(&[], &[]), []);
    }

    #[test]
    fn the_shared_start_stays_first_even_when_new_events_are_older() {
        // A back-dated hand edit on one side must not slip into the shared part.
        let shared = vec![note(0, "ana", "opened"), note(5, "ana", "shared")];
        let ours = [shared.clone(), vec![note(6, "ana", "ours")]].concat();
        let theirs = [shared.clone(), vec![note(3, "bo", "theirs")]].concat();
        assert_eq!(
            texts(&merge_events(&ours, &theirs)),
            ["opened", "shared", "theirs", "ours"]
        );
    }

    #[test]
    fn new_events_of_both_sides_interleave_by_time() {
        let shared = vec![note(0, "ana", "opened")];
        let ours = [
            shared.clone(),
            vec![note(1, "ana", "o1"), note(4, "ana", "o4")],
        ]
        .concat();
        let theirs = [
            shared.clone(),
            vec![
                note(2, "bo", "t2"),
                note(3, "bo", "t3"),
                note(5, "bo", "t5"),
            ],
        ]
        .concat();
        assert_eq!(
            texts(&merge_events(&ours, &theirs)),
            ["opened", "o1", "t2", "t3", "o4", "t5"]
        );
    }

    #[test]
    fn events_at_the_same_time_come_out_alike_whichever_side_is_ours() {
        let shared = vec![note(0, "ana", "opened")];
        let ours = [
            shared.clone(),
            vec![note(1, "ana", "from ana"), note(2, "ana", "later")],
        ]
        .concat();
        let theirs = [
            shared.clone(),
            vec![note(1, "bo", "from bo"), event(1, "ana", Action::Call)],
        ]
        .concat();
        let one_way = merge_events(&ours, &theirs);
        assert_eq!(one_way, merge_events(&theirs, &ours));
        assert_eq!(one_way.len(), 5);
        assert_eq!(one_way[4].text.as_deref(), Some("later"));
    }

    #[test]
    fn an_event_both_sides_added_is_kept_once() {
        let shared = vec![note(0, "ana", "opened")];
        let both = note(2, "ana", "cherry-picked");
        let ours = [shared.clone(), vec![note(1, "ana", "ours"), both.clone()]].concat();
        let theirs = [shared.clone(), vec![both.clone(), note(3, "bo", "theirs")]].concat();
        let merged = merge_events(&ours, &theirs);
        assert_eq!(
            texts(&merged),
            ["opened", "ours", "cherry-picked", "theirs"]
        );
        assert_eq!(merged, merge_events(&theirs, &ours));
    }

    #[test]
    fn events_alike_but_for_one_key_are_both_kept() {
        let shared = vec![note(0, "ana", "opened")];
        let ours = [shared.clone(), vec![note(1, "ana", "called")]].concat();
        let theirs = [shared.clone(), vec![note(1, "ana", "called back")]].concat();
        assert_eq!(merge_events(&ours, &theirs).len(), 3);
    }

    #[test]
    fn each_side_keeps_its_own_order_even_against_the_tie_break() {
        // A satisfied follow-up records followed-up then closed at one
        // instant; by key, "closed" would sort first.
        let shared = vec![note(0, "ana", "opened")];
        let ours = [
            shared.clone(),
            vec![
                event(1, "ana", Action::FollowedUp),
                event(1, "ana", Action::Closed),
            ],
        ]
        .concat();
        let theirs = [shared.clone(), vec![event(1, "ana", Action::Escalated)]].concat();
        for merged in [merge_events(&ours, &theirs), merge_events(&theirs, &ours)] {
            let actions: Vec<Action> = merged.iter().map(|e| e.action).collect();
            let followed_up = actions.iter().position(|&a| a == Action::FollowedUp);
            let closed = actions.iter().position(|&a| a == Action::Closed);
            assert!(followed_up < closed, "{actions:?}");
            assert_eq!(actions.len(), 4);
        }
    }

    #[test]
    fn an_event_both_sides_added_keeps_each_side_s_order_whichever_side_is_ours() {
        let shared = vec![note(0, "ana", "opened")];
        let followed_up = event(1, "ana", Action::FollowedUp);
        let closed = event(1, "ana", Action::Closed);
        let ours = [shared.clone(), vec![closed.clone()]].concat();
        let theirs = [shared.clone(), vec![followed_up, closed]].concat();
        let merged = merge_events(&ours, &theirs);
        let actions: Vec<Action> = merged.iter().map(|e| e.action).collect();
        // theirs recorded followed-up before closed; the merge must keep that.
        assert_eq!(
            actions,
            [Action::Note, Action::FollowedUp, Action::Closed],
            "merged with ours = [closed]"
        );
        assert_eq!(merged, merge_events(&theirs, &ours));
    }
}

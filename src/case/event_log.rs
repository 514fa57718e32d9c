//! The event log's one non-trivial operation: the union of two logs that
//! grew apart on two branches, for the merge driver and for telling what a
//! change added.

use crate::case::file::{event_fields, write_fields};
use crate::case::{Event, Timestamp};

/// Orders two events the same way whichever side they come from.
fn order_key(e: &Event) -> (Timestamp, String) {
    let mut text = String::new();
    write_fields(&mut text, &event_fields(e));
    (e.at, text)
}

/// The union of both logs: the shared start, then both sides' new events
/// interleaved by time, each side's own order kept, identical events once.
pub fn merge_events(ours: &[Event], theirs: &[Event]) -> Vec<Event> {
    let shared = ours.iter().zip(theirs).take_while(|(a, b)| a == b).count();
    let mut out: Vec<Event> = ours[..shared].to_vec();
    let new_ours = &ours[shared..];
    // An event both sides added (a cherry-pick, say) is kept once.
    let mut unmatched: Vec<&Event> = new_ours.iter().collect();
    let new_theirs: Vec<&Event> = theirs[shared..]
        .iter()
        .filter(|e| match unmatched.iter().position(|o| o == e) {
            Some(i) => {
                unmatched.remove(i);
                false
            }
            None => true,
        })
        .collect();
    let (mut i, mut j) = (0, 0);
    while i < new_ours.len() || j < new_theirs.len() {
        let take_ours = match (new_ours.get(i), new_theirs.get(j)) {
            (Some(a), Some(b)) => order_key(a) <= order_key(b),
            (Some(_), None) => true,
            _ => false,
        };
        if take_ours {
            out.push(new_ours[i].clone());
            i += 1;
        } else {
            out.push(new_theirs[j].clone());
            j += 1;
        }
    }
    out
}

//! The complaint-handling practice: what must happen by when (deadlines)
//! and which step comes next on a case, derived from its events each time;
//! and which cases a listing keeps.

pub mod deadlines;
pub mod filter;
pub mod next;

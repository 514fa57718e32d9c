//! Time as caselog sees it: the clock, times and lengths of time as people
//! write them, working days, and how times are shown (in which zone).

pub mod clock;
mod span;
mod zone;

pub use clock::{
    Clock, When, format_length, format_length_tight, format_relative, format_time, parse_time,
    parse_when,
};
pub use span::{Span, WorkingDays, parse_weekday};
pub use zone::Zone;

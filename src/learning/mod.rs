//! Learning from the complaints: the report's measures over a period, and
//! the earlier cases of a customer and the cases like a new one.

pub mod measures;
pub mod similar;

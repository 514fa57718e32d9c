//! Writing a long listing (a line per case) on two cores.
//!
//! At 100,000 cases, making the lines of `list` and `due` (padding,
//! cutting, painting) costs as much as reading the log from the index,
//! and it comes after the pass, on one thread. Here every other batch of
//! lines is made by a helper thread while this one makes and writes the
//! rest, so the output is the same, in the same order, in about half the
//! time; only a few batches are held at once.

use std::io::{self, Write};
use std::sync::mpsc;

/// How many items one batch holds: small enough that `due`'s few
/// thousand lines at 10,000 cases are shared too.
const BATCH: usize = 1024;
/// Below this many items a helper thread costs more than it saves.
const HELPER_FROM: usize = 2 * BATCH;
/// Flush a batch's text to `out` once it is this long.
const FLUSH_AT: usize = 64 * 1024;

/// Writes each item's text, as `line` makes it into the string it is
/// given (newline and all), to `out`, in order.
pub fn write<T: Sync>(
    out: &mut dyn Write,
    items: &[T],
    line: impl Fn(&T, &mut String) + Sync,
) -> io::Result<()> {
    let helper = crate::store::index::threads() > 1 && items.len() >= HELPER_FROM;
    if !helper {
        return write_batch(out, items, &line, &mut String::new());
    }
    let batches: Vec<&[T]> = items.chunks(BATCH).collect();
    let line = &line;
    std::thread::scope(|scope| {
        // The helper makes the odd batches; at most two wait to be written.
        let (made, ready) = mpsc::sync_channel::<String>(2);
        let odd: Vec<&[T]> = batches.iter().skip(1).step_by(2).copied().collect();
        let helper = std::thread::Builder::new().spawn_scoped(scope, move || {
            for batch in odd {
                let mut text = String::with_capacity(batch.len() * 128);
                for item in batch {
                    line(item, &mut text);
                }
                if made.send(text).is_err() {
                    // The writer stopped (a closed pipe): so does the helper.
                    return;
                }
            }
        });
        let mut text = String::new();
        let Ok(helper) = helper else {
            // No thread to be had: every line is made here.
            return write_batch(out, items, line, &mut text);
        };
        let mut written = Ok(());
        for (i, batch) in batches.iter().enumerate() {
            written = if i % 2 == 0 {
                write_batch(out, batch, line, &mut text)
            } else {
                match ready.recv() {
                    Ok(made) => out.write_all(made.as_bytes()),
                    Err(_) => Err(io::Error::other("internal error: the line maker stopped")),
                }
            };
            if written.is_err() {
                break;
            }
        }
        drop(ready);
        helper
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written
    })
}

/// The most columns each of a line's `N` cells takes over `items` (as
/// `cells` measures one item's), and at least `least`: a listing's
/// column widths, measured on every core.
pub fn widest<T: Sync, const N: usize>(
    items: &[T],
    least: [usize; N],
    cells: impl Fn(&T) -> [usize; N] + Sync,
) -> [usize; N] {
    let wider = |a: [usize; N], b: [usize; N]| std::array::from_fn(|i| a[i].max(b[i]));
    crate::store::parallel_parts(items, |part| {
        part.iter()
            .fold(least, |most, item| wider(most, cells(item)))
    })
    .into_iter()
    .fold(least, wider)
}

/// Makes and writes `items`' lines in `text`, a string reused between
/// batches, flushing it to `out` as it fills.
fn write_batch<T>(
    out: &mut dyn Write,
    items: &[T],
    line: &impl Fn(&T, &mut String),
    text: &mut String,
) -> io::Result<()> {
    text.clear();
    for item in items {
        line(item, text);
        if text.len() >= FLUSH_AT {
            out.write_all(text.as_bytes())?;
            text.clear();
        }
    }
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_cell_of_each_column_is_found_on_any_number_of_items() {
        for n in [0, 1, 100, 10_000] {
            let items: Vec<usize> = (0..n).collect();
            let widths = widest(&items, [3, 0], |&i| [i % 7, (i * 31) % 1000]);
            let want = [
                items.iter().map(|i| i % 7).fold(3, usize::max),
                items.iter().map(|i| (i * 31) % 1000).fold(0, usize::max),
            ];
            assert_eq!(widths, want, "{n} items");
        }
    }

    #[test]
    fn lines_come_out_in_order_whatever_their_number() {
        for n in [
            0,
            1,
            BATCH - 1,
            BATCH,
            HELPER_FROM,
            HELPER_FROM + 1,
            5 * BATCH + 7,
        ] {
            let items: Vec<usize> = (0..n).collect();
            let mut out = Vec::new();
            write(&mut out, &items, |i, text| {
                use std::fmt::Write as _;
                let _ = writeln!(text, "line {i}");
            })
            .unwrap();
            let want: String = items.iter().map(|i| format!("line {i}\n")).collect();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{n} lines");
        }
    }

    /// A writer that takes `room` bytes, then fails as a closed pipe does.
    struct Closes {
        room: usize,
    }

    impl Write for Closes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_stops_the_writing_and_is_told() {
        let items: Vec<usize> = (0..10 * BATCH).collect();
        let all: usize = items.iter().map(|i| format!("line {i}\n").len()).sum();
        for room in [0, 10, all / 2, all - 1] {
            let err = write(&mut Closes { room }, &items, |i, text| {
                text.push_str(&format!("line {i}\n"));
            })
            .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        }
    }
}

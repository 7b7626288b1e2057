//! Bytes from the port cut into frames. A line or STX…ETX frame is handed over whole; bytes that
//! cannot be a whole frame (the tail of a frame the reading started in the middle of, a frame
//! whose end was lost, a run of bytes too long to be a frame) come out as a [`Refusal`], never
//! glued to the next frame.

use crate::error::Refusal;
use crate::protocol::Framing;
use crate::reading::raw_text;

/// Longest frame kept; beyond it the bytes are refused as partial (noise, wrong speed).
pub const MAX_FRAME: usize = 96;

const STX: u8 = 0x02;
const ETX: u8 = 0x03;

/// Accumulates bytes and cuts frames.
#[derive(Debug)]
pub struct Framer {
    framing: Framing,
    buf: Vec<u8>,
}

impl Framer {
    /// An empty framer.
    #[must_use]
    pub fn new(framing: Framing) -> Self {
        Framer {
            framing,
            buf: Vec::new(),
        }
    }

    /// Adds bytes read from the port.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Forgets the bytes held (after a command, or a reconnection).
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// The next whole frame (without its line end or STX/ETX), a refusal for bytes that cannot
    /// be one, or `None` until more bytes come.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, Refusal>> {
        match self.framing {
            Framing::Lines => self.next_line(),
            Framing::StxEtx => self.next_stx(),
        }
    }

    fn next_line(&mut self) -> Option<Result<Vec<u8>, Refusal>> {
        loop {
            let Some(end) = self.buf.iter().position(|&b| b == b'\n') else {
                if self.buf.len() > MAX_FRAME {
                    let junk: Vec<u8> = self.buf.drain(..).collect();
                    return Some(Err(Refusal::Partial {
                        raw: raw_text(&junk),
                    }));
                }
                return None;
            };
            let mut line: Vec<u8> = self.buf.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.iter().all(|&b| b == b' ' || b == b'\r' || b == 0) {
                continue;
            }
            if line.len() > MAX_FRAME {
                return Some(Err(Refusal::Partial {
                    raw: raw_text(&line),
                }));
            }
            return Some(Ok(line));
        }
    }

    fn next_stx(&mut self) -> Option<Result<Vec<u8>, Refusal>> {
        loop {
            let start = self.buf.iter().position(|&b| b == STX);
            let before = start.unwrap_or(self.buf.len());
            if before > 0 {
                // bytes before any STX: the end of a frame begun before we listened, or noise
                let junk: Vec<u8> = self.buf.drain(..before).collect();
                if junk.iter().all(|&b| matches!(b, b'\r' | b'\n' | b' ' | 0)) {
                    continue;
                }
                return Some(Err(Refusal::Partial {
                    raw: raw_text(&junk),
                }));
            }
            start?;
            let end = self.buf[1..]
                .iter()
                .position(|&b| b == ETX || b == STX)
                .map(|i| i + 1);
            match end {
                Some(i) if self.buf[i] == ETX => {
                    let frame: Vec<u8> = self.buf.drain(..=i).collect();
                    let body = &frame[1..frame.len() - 1];
                    if body.len() > MAX_FRAME {
                        // a run of bytes too long to be a frame, arrived with its ETX at once
                        return Some(Err(Refusal::Partial {
                            raw: raw_text(&frame),
                        }));
                    }
                    return Some(Ok(body.to_vec()));
                }
                Some(i) => {
                    // a new STX before this frame's ETX: its end was lost
                    let junk: Vec<u8> = self.buf.drain(..i).collect();
                    return Some(Err(Refusal::Partial {
                        raw: raw_text(&junk),
                    }));
                }
                None if self.buf.len() > MAX_FRAME => {
                    let junk: Vec<u8> = self.buf.drain(..).collect();
                    return Some(Err(Refusal::Partial {
                        raw: raw_text(&junk),
                    }));
                }
                None => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn all(f: &mut Framer) -> Vec<Result<Vec<u8>, &'static str>> {
        std::iter::from_fn(|| f.next_frame())
            .map(|r| r.map_err(|e| e.code()))
            .collect()
    }

    #[test]
    fn lines() {
        let mut f = Framer::new(Framing::Lines);
        f.push(b"S S   1.0 kg\r\n\r\nS S ");
        assert_eq!(all(&mut f), vec![Ok(b"S S   1.0 kg".to_vec())]);
        f.push(b"  2.0 kg\r");
        assert_eq!(all(&mut f), vec![]);
        f.push(b"\n");
        assert_eq!(all(&mut f), vec![Ok(b"S S   2.0 kg".to_vec())]);
        f.push(&[b'x'; MAX_FRAME + 1]);
        assert_eq!(all(&mut f), vec![Err("partial")]);
    }

    #[test]
    fn stx_etx() {
        let mut f = Framer::new(Framing::StxEtx);
        // the tail of a frame begun before, a frame, a frame cut by the next one, a frame in two
        f.push(b"421D\x03\x02+00123421D\x03\x02+0012\x02+00123421D\x03\x02+00");
        assert_eq!(
            all(&mut f),
            vec![
                Err("partial"),
                Ok(b"+00123421D".to_vec()),
                Err("partial"),
                Ok(b"+00123421D".to_vec()),
            ]
        );
        f.push(b"123421D\x03\r\n");
        assert_eq!(all(&mut f), vec![Ok(b"+00123421D".to_vec())]);
        // too long to be a frame, its ETX in the same read (found by tests/props.rs)
        let mut long = vec![0x02];
        long.extend_from_slice(&[b'0'; MAX_FRAME + 1]);
        long.push(0x03);
        f.push(&long);
        assert_eq!(all(&mut f), vec![Err("partial")]);
    }
}

//! A CRC-32 over every byte of the saved index but its last four, which hold it. The reader's
//! checks catch a file that does not fit together; the sum catches the damage that does (a
//! flipped bit in a score or a summary), which would otherwise give wrong answers until the
//! directory next changes.
use std::io::{Read, Write};

/// A reader or writer that sums the bytes passing through it.
pub struct Summed<T> {
    pub inner: T,
    sum: crc32fast::Hasher,
}

impl<T> Summed<T> {
    pub fn new(inner: T) -> Self {
        Summed { inner, sum: crc32fast::Hasher::new() }
    }

    /// The sum of the bytes so far.
    pub fn sum(&self) -> u32 {
        self.sum.clone().finalize()
    }
}

impl<R: Read> Read for Summed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }
}

impl<W: Write> Write for Summed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_sums_as_what_is_read_back() {
        let mut w = Summed::new(Vec::new());
        w.write_all(b"signpost").unwrap();
        w.write_all(&[0xff; 3]).unwrap();
        let written = w.sum();
        let mut r = Summed::new(&w.inner[..]);
        let mut back = Vec::new();
        r.read_to_end(&mut back).unwrap();
        assert_eq!(r.sum(), written);
        // The standard CRC-32 (IEEE), so a file can be checked with other tools.
        assert_eq!(Summed::new(Vec::<u8>::new()).sum(), 0);
        let mut check = Summed::new(Vec::new());
        check.write_all(b"123456789").unwrap();
        assert_eq!(check.sum(), 0xcbf4_3926);
        let mut other = Summed::new(Vec::new());
        other.write_all(b"signposu").unwrap();
        other.write_all(&[0xff; 3]).unwrap();
        assert_ne!(other.sum(), written);
    }
}

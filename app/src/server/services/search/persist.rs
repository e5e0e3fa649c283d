//! The index written to a file after it is built and read back at the next start, so a
//! restarted server answers within seconds instead of indexing the whole directory again. The
//! file names the directory version and stamp it was built from (`brands::directory_stamp`,
//! new at every change, so a restored or diverged database never matches an old file), and is
//! written to a temporary name, synced and renamed, so a crash leaves the old file or the new
//! one. A file that fails any check is ignored (and rebuilt), never trusted: every length is
//! bounded by what is left of the file, every document, term and value number is checked
//! against what it points into, and the whole file against its checksum (`checksum`).
use super::checksum::Summed;
use super::compact::{BlockStrings, KeyedDocs, Lists, Posting, Strings};
use super::index::{Docs, STATIC_FACETS, SearchIndex};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

const MAGIC: &[u8; 16] = b"signpost-index\0\x04";
/// The release that wrote a file: another one may split words or shape summaries differently,
/// so its index is built again rather than read.
// Bump the last byte of MAGIC whenever indexing changes within one package version.
const BUILT_BY: &str = env!("CARGO_PKG_VERSION");
/// The most a file may claim for one of its arrays (a national directory's index is about
/// 600 MB in all): a sparse or hostile file cannot make a read allocate past it.
const MAX_SECTION_BYTES: u64 = 8 << 30;

/// What a file must match to be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Built {
    pub version: i64,
    pub stamp: i64,
}

struct Writer<W: Write>(W);

impl<W: Write> Writer<W> {
    fn u64(&mut self, v: u64) -> std::io::Result<()> {
        self.0.write_all(&v.to_le_bytes())
    }

    fn u32s(&mut self, v: impl ExactSizeIterator<Item = u32>) -> std::io::Result<()> {
        self.u64(v.len() as u64)?;
        for x in v {
            self.0.write_all(&x.to_le_bytes())?;
        }
        Ok(())
    }

    fn u64s(&mut self, v: &[u64]) -> std::io::Result<()> {
        self.u64(v.len() as u64)?;
        for x in v {
            self.0.write_all(&x.to_le_bytes())?;
        }
        Ok(())
    }

    fn bytes(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.u64(b.len() as u64)?;
        self.0.write_all(b)
    }

    fn strings(&mut self, s: &Strings) -> std::io::Result<()> {
        self.bytes(s.bytes.as_bytes())?;
        self.u64s(&s.ends)
    }

    /// As `strings` writes them: the blocks end to end, then the ends.
    fn block_strings(&mut self, s: &BlockStrings) -> std::io::Result<()> {
        self.u64(s.byte_len())?;
        s.blocks().try_for_each(|b| self.0.write_all(b.as_bytes()))?;
        self.u64s(s.ends())
    }

    fn lists_u32(&mut self, l: &Lists<u32>) -> std::io::Result<()> {
        self.u32s(l.items.iter().copied())?;
        self.u64s(&l.ends)
    }

    fn keyed(&mut self, k: &KeyedDocs) -> std::io::Result<()> {
        self.strings(&k.keys)?;
        self.lists_u32(&k.docs)
    }
}

/// Writes `index` to `path` (through `path.tmp`), synced before it replaces the old file.
pub fn save(index: &SearchIndex, stamp: i64, path: &Path) -> std::io::Result<()> {
    // A cache folder (PostgreSQL's default place) may not exist yet: made for this user only.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        let mut folder = std::fs::DirBuilder::new();
        folder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
        folder.create(dir)?;
    }
    // Its own temporary name: two instances (or two rebuilds) may save at once.
    let tmp = path.with_extension(format!("tmp-{}-{:x}", std::process::id(), rand::random::<u64>()));
    let written = write_to(index, stamp, &tmp).and_then(|_| std::fs::rename(&tmp, path));
    if written.is_err() {
        // A full disk must not leave a partial file behind at every rebuild.
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // The rename itself is durable once the folder is synced.
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    File::open(dir)?.sync_all()
}

fn write_to(index: &SearchIndex, stamp: i64, tmp: &Path) -> std::io::Result<()> {
    {
        let mut w = Writer(Summed::new(BufWriter::with_capacity(1 << 20, File::create(&tmp)?)));
        w.0.write_all(MAGIC)?;
        w.bytes(BUILT_BY.as_bytes())?;
        w.u64(index.version as u64)?;
        w.u64(stamp as u64)?;
        let d = &index.docs;
        w.u32s(d.ids.iter().map(|id| *id as u32))?;
        w.block_strings(&d.name_phrases)?;
        w.u32s(d.profile.iter().copied())?;
        for f in &d.profiles {
            w.u32s(f.items.iter().map(|v| u32::from(*v)))?;
            w.u64s(&f.ends)?;
        }
        // An absent brand id as u64::MAX, which no i32 widens to.
        let health: Vec<u64> = d.health_from.iter().map(|h| h.map_or(u64::MAX, |b| b as u32 as u64)).collect();
        w.u64s(&health)?;
        w.u32s(d.rank.iter().copied())?;
        w.u32s(d.by_name.iter().copied())?;
        w.strings(&index.vocab)?;
        w.u32s(index.postings.items.iter().map(|p| p.0))?;
        w.u64s(&index.postings.ends)?;
        w.lists_u32(&index.by_length)?;
        w.keyed(&index.endpoint_keys)?;
        w.keyed(&index.hosts)?;
        w.keyed(&index.domains)?;
        for values in &index.facet_values {
            let mut s = Strings::default();
            values.iter().for_each(|v| s.push(v));
            w.strings(&s)?;
        }
        let sum = w.0.sum();
        w.0.inner.write_all(&sum.to_le_bytes())?;
        let file = w.0.inner.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
    }
    Ok(())
}

struct Reader<R: Read> {
    inner: R,
    /// Bytes of the file not read yet: no length may claim more.
    left: u64,
}

/// Room for the `n` items a section holds, allocated once: grown by doubling, a 300 MB
/// section held twice that at the peak of a restart. `n` is within what is left of the file
/// (`Reader::count`), and a refused allocation is an error, not an abort.
fn exactly<T>(n: usize) -> std::io::Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| bad("a section too large for memory"))?;
    Ok(v)
}

fn bad(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("search index file: {what}"))
}

impl<R: Read> Reader<R> {
    fn exact<const N: usize>(&mut self) -> std::io::Result<[u8; N]> {
        let mut b = [0u8; N];
        self.inner.read_exact(&mut b)?;
        self.left = self.left.saturating_sub(N as u64);
        Ok(b)
    }

    fn u64(&mut self) -> std::io::Result<u64> {
        Ok(u64::from_le_bytes(self.exact()?))
    }

    /// A count of items of `size` bytes, within what is left.
    fn count(&mut self, size: u64) -> std::io::Result<usize> {
        let n = self.u64()?;
        if n.checked_mul(size).is_none_or(|b| b > self.left || b > MAX_SECTION_BYTES) {
            return Err(bad("a length past the end"));
        }
        Ok(n as usize)
    }

    /// A count, then that many numbers of `N` bytes each.
    fn numbers<const N: usize, T>(&mut self, from: fn([u8; N]) -> T) -> std::io::Result<Vec<T>> {
        let n = self.count(N as u64)?;
        let mut out = exactly(n)?;
        let mut chunk = vec![0u8; 64 * 1024];
        while out.len() < n {
            let take = ((n - out.len()) * N).min(chunk.len() / N * N);
            self.inner.read_exact(&mut chunk[..take])?;
            out.extend(chunk[..take].chunks_exact(N).map(|b| from(b.try_into().unwrap_or([0; N]))));
        }
        self.left -= (n * N) as u64;
        Ok(out)
    }

    fn u32s(&mut self) -> std::io::Result<Vec<u32>> {
        self.numbers(u32::from_le_bytes)
    }

    fn u64s(&mut self) -> std::io::Result<Vec<u64>> {
        self.numbers(u64::from_le_bytes)
    }

    fn strings(&mut self) -> std::io::Result<Strings> {
        let n = self.count(1)?;
        let mut bytes = exactly(n)?;
        (&mut self.inner).take(n as u64).read_to_end(&mut bytes)?;
        if bytes.len() != n {
            return Err(bad("a text cut short"));
        }
        self.left -= n as u64;
        let bytes = String::from_utf8(bytes).map_err(|_| bad("text that is not UTF-8"))?;
        let s = Strings { bytes, ends: self.u64s()? };
        s.is_consistent().then_some(s).ok_or_else(|| bad("strings out of order"))
    }

    fn lists_u32(&mut self) -> std::io::Result<Lists<u32>> {
        let l = Lists { items: self.u32s()?, ends: self.u64s()? };
        l.is_consistent().then_some(l).ok_or_else(|| bad("lists out of order"))
    }

    fn keyed(&mut self, docs: usize) -> std::io::Result<KeyedDocs> {
        let k = KeyedDocs { keys: self.strings()?, docs: self.lists_u32()? };
        let sorted = (1..k.keys.len()).all(|i| k.keys[i - 1] < k.keys[i]);
        if k.keys.len() != k.docs.len() || !sorted || k.docs.items.iter().any(|d| *d as usize >= docs) {
            return Err(bad("an address map that does not fit its documents"));
        }
        Ok(k)
    }
}

type FileReader = Reader<Summed<BufReader<File>>>;

/// What the index in `path` was built from, read from its header alone; `Ok(None)` when the
/// file is absent or written by another release. The rest is checked only by `load`.
pub fn built_from(path: &Path) -> std::io::Result<Option<Built>> {
    Ok(open(path)?.map(|(_, built)| built))
}

/// The file opened past its header, and what it names it was built from.
fn open(path: &Path) -> std::io::Result<Option<(FileReader, Built)>> {
    // Only a plain file: opening a FIFO put there would wait forever, holding up every search.
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(bad("not a plain file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    let file = File::open(path)?;
    let left = file.metadata()?.len();
    let mut r = Reader { inner: Summed::new(BufReader::with_capacity(1 << 20, file)), left };
    if &r.exact::<16>()? != MAGIC {
        return Err(bad("not an index file of this format"));
    }
    let by = r.count(1)?;
    if by > 64 {
        return Err(bad("a release name too long"));
    }
    let mut release = vec![0u8; by];
    r.inner.read_exact(&mut release)?;
    r.left -= by as u64;
    if release != BUILT_BY.as_bytes() {
        return Ok(None);
    }
    let built = Built { version: r.u64()? as i64, stamp: r.u64()? as i64 };
    Ok(Some((r, built)))
}

/// The index in `path` if it was built from `expected`; `Ok(None)` when the file is absent
/// or from another version, an error when it is damaged.
pub fn load(path: &Path, expected: Built) -> std::io::Result<Option<SearchIndex>> {
    let Some((mut r, built)) = open(path)? else { return Ok(None) };
    if built != expected {
        return Ok(None);
    }
    let ids: Vec<i32> = r.u32s()?.into_iter().map(|id| id as i32).collect();
    let n = ids.len();
    let name_phrases = BlockStrings::from(r.strings()?);
    let profile = r.u32s()?;
    let mut profiles: [Lists<u16>; STATIC_FACETS] = Default::default();
    for f in &mut profiles {
        let items: std::io::Result<Vec<u16>> =
            r.u32s()?.into_iter().map(|v| u16::try_from(v).map_err(|_| bad("a facet value id"))).collect();
        *f = Lists { items: items?, ends: r.u64s()? };
    }
    let health_from: Vec<Option<i32>> =
        r.u64s()?.into_iter().map(|v| (v != u64::MAX).then_some(v as u32 as i32)).collect();
    let rank = r.u32s()?;
    let by_name = r.u32s()?;
    let vocab = r.strings()?;
    let postings = Lists { items: r.u32s()?.into_iter().map(Posting).collect(), ends: r.u64s()? };
    let by_length = r.lists_u32()?;
    let endpoint_keys = r.keyed(n)?;
    let hosts = r.keyed(n)?;
    let domains = r.keyed(n)?;
    let mut facet_values: [Vec<String>; STATIC_FACETS] = Default::default();
    for values in &mut facet_values {
        let s = r.strings()?;
        *values = (0..s.len()).map(|i| s[i].to_string()).collect();
    }
    let sum = r.inner.sum();
    let mut stored = [0u8; 4];
    r.inner.inner.read_exact(&mut stored)?;
    if r.left != stored.len() as u64 {
        return Err(bad("bytes after the end"));
    }
    if u32::from_le_bytes(stored) != sum {
        return Err(bad("a checksum that does not match its contents"));
    }
    // In this order: each check may index only with what the ones before it proved.
    let lengths_fit =
        [name_phrases.len(), health_from.len(), rank.len(), by_name.len(), profile.len()].iter().all(|l| *l == n)
            && profiles.iter().all(|f| f.len() == profiles[0].len() && f.is_consistent());
    if !lengths_fit {
        return Err(bad("document lists of different lengths"));
    }
    let permutation = by_name.iter().all(|d| (*d as usize) < n)
        && by_name.iter().enumerate().all(|(place, d)| rank[*d as usize] as usize == place);
    let values_fit = facet_values.iter().all(|v| v.len() <= usize::from(u16::MAX) + 1)
        && profile.iter().all(|p| (*p as usize) < profiles[0].len())
        && profiles.iter().zip(&facet_values).all(|(f, v)| f.items.iter().all(|id| (*id as usize) < v.len()));
    let terms_fit = postings.len() == vocab.len()
        && (1..vocab.len()).all(|i| vocab[i - 1] < vocab[i])
        && postings.is_consistent()
        && postings.items.iter().all(|p| (p.doc() as usize) < n)
        // In document order, each once: searches gallop through them.
        && (0..postings.len()).all(|t| postings[t].windows(2).all(|w| w[0].doc() < w[1].doc()))
        && by_length.items.iter().all(|t| (*t as usize) < vocab.len());
    if !(permutation && values_fit && terms_fit) {
        return Err(bad("numbers that do not fit what they point into"));
    }
    let docs = Docs { ids, name_phrases, profile, profiles, health_from, rank, by_name };
    Ok(Some(SearchIndex {
        version: built.version,
        docs,
        vocab,
        postings,
        by_length,
        endpoint_keys,
        hosts,
        domains,
        facet_values,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::services::search::tests::index;
    use crate::types::search::SearchQuery;

    fn answers(idx: &SearchIndex) -> Vec<String> {
        ["aetna", "texas", "medicad", "blue cross", "fhir.kaiser.example", "", "kaiser permanente"]
            .iter()
            .map(|q| {
                let q = SearchQuery { q: q.to_string(), ..Default::default() };
                let hits = idx.search(&q);
                serde_json::to_string(&(&hits.response, &hits.page)).unwrap()
            })
            .collect()
    }

    #[test]
    fn a_saved_index_answers_as_the_built_one_and_only_for_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        let built = index();
        save(&built, 42, &path).unwrap();
        let loaded = load(&path, Built { version: built.version, stamp: 42 }).unwrap().expect("the same directory");
        assert_eq!(answers(&loaded), answers(&built));
        assert!(load(&path, Built { version: built.version, stamp: 43 }).unwrap().is_none(), "another history");
        assert!(load(&path, Built { version: built.version + 1, stamp: 42 }).unwrap().is_none(), "a newer directory");
        assert!(load(&dir.path().join("none"), Built { version: 1, stamp: 42 }).unwrap().is_none());
        // Not a plain file (a FIFO would block the opening): refused, not opened.
        assert!(load(dir.path(), Built { version: 1, stamp: 42 }).is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["index"], "no temporary file is left");
    }

    #[test]
    fn a_damaged_file_is_an_error_never_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        let built = index();
        save(&built, 7, &path).unwrap();
        let good = std::fs::read(&path).unwrap();
        let expected = Built { version: built.version, stamp: 7 };
        for cut in [0, 10, 16, 20, 40, good.len() / 2, good.len() - 1] {
            std::fs::write(&path, &good[..cut]).unwrap();
            assert!(load(&path, expected).is_err(), "cut at {cut}");
        }
        let mut longer = good.clone();
        longer.push(0);
        std::fs::write(&path, &longer).unwrap();
        assert!(load(&path, expected).is_err(), "a byte too many");
        // A letter of a name changed: the file still fits together, only its sum tells.
        let at = good.windows(5).position(|w| w == b"aetna").expect("a name in the file");
        let mut renamed = good.clone();
        renamed[at] = b'b';
        std::fs::write(&path, &renamed).unwrap();
        let err = load(&path, expected).err().expect("a changed name is found");
        assert!(err.to_string().contains("checksum"), "{err}");
        // Every byte set to each of a few values: never an index (the checksum, or the release,
        // version and stamp it names), never a panic.
        for at in 0..good.len() {
            for v in [0u8, 0xff, good[at] ^ 1] {
                if v == good[at] {
                    continue;
                }
                let mut bad = good.clone();
                bad[at] = v;
                std::fs::write(&path, &bad).unwrap();
                assert!(!matches!(load(&path, expected), Ok(Some(_))), "byte {at} set to {v:#x} was read as an index");
            }
        }
    }
}

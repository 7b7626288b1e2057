//! Reading back the PDF files this crate writes: a strict check of the file structure (header,
//! cross-reference offsets, trailer, page tree, stream lengths) and the extraction of the text
//! shown, decoded from WinAnsi. Meant for tests and snapshot tests, not for PDF files in
//! general: no compressed streams, no object streams, no incremental updates.

use std::collections::BTreeMap;
use std::fmt;

use crate::winansi;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfError(pub String);

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PDF illisible : {}", self.0)
    }
}

impl std::error::Error for PdfError {}

fn err<T>(msg: impl Into<String>) -> Result<T, PdfError> {
    Err(PdfError(msg.into()))
}

/// A PDF object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    Null,
    Bool(bool),
    Int(i64),
    /// A real number, in thousandths.
    Real(i64),
    Name(String),
    Str(Vec<u8>),
    Array(Vec<Object>),
    Dict(BTreeMap<String, Object>),
    Ref(u32, u16),
    Stream(BTreeMap<String, Object>, Vec<u8>),
}

impl Object {
    fn dict(&self) -> Option<&BTreeMap<String, Object>> {
        match self {
            Object::Dict(d) | Object::Stream(d, _) => Some(d),
            _ => None,
        }
    }
    fn name(&self) -> Option<&str> {
        match self {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }
    /// The number, in thousandths.
    fn millis(&self) -> Option<i64> {
        match self {
            Object::Int(i) => i.checked_mul(1000),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    }
}

/// What [`inspect`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfInfo {
    /// `1.4`.
    pub version: String,
    /// Objects in the cross-reference table (the free object 0 excluded).
    pub objects: usize,
    pub pages: Vec<PageInfo>,
}

/// One page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageInfo {
    /// Media box width and height, in points.
    pub width: i64,
    pub height: i64,
    /// `BaseFont` and `Encoding` of each font resource, by resource name.
    pub fonts: BTreeMap<String, (String, String)>,
    /// The content stream(s), concatenated.
    pub content: Vec<u8>,
}

// ----- lexer -----

const fn is_ws(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

const fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Int(i64),
    Real(i64),
    Name(String),
    Str(Vec<u8>),
    ArrayStart,
    ArrayEnd,
    DictStart,
    DictEnd,
    Keyword(String),
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(b: &'a [u8], pos: usize) -> Self {
        Lexer { b, pos }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if is_ws(c) {
                self.pos += 1;
            } else if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn regular(&mut self) -> &'a [u8] {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_ws(c) || is_delim(c) {
                break;
            }
            self.pos += 1;
        }
        &self.b[start..self.pos]
    }

    fn next(&mut self) -> Result<Option<Token>, PdfError> {
        self.skip_ws();
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let t = match c {
            b'[' => {
                self.pos += 1;
                Token::ArrayStart
            }
            b']' => {
                self.pos += 1;
                Token::ArrayEnd
            }
            b'<' if self.b.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                Token::DictStart
            }
            b'>' if self.b.get(self.pos + 1) == Some(&b'>') => {
                self.pos += 2;
                Token::DictEnd
            }
            b'<' => {
                self.pos += 1;
                Token::Str(self.hex()?)
            }
            b'(' => {
                self.pos += 1;
                Token::Str(self.literal()?)
            }
            b'/' => {
                self.pos += 1;
                Token::Name(name(self.regular()))
            }
            b')' | b'>' | b'{' | b'}' => return err(format!("caractère inattendu à {}", self.pos)),
            _ => {
                let start = self.pos;
                let word = self.regular();
                if word.is_empty() {
                    return err(format!("caractère inattendu à {start}"));
                }
                number(word)
                    .unwrap_or_else(|| Token::Keyword(String::from_utf8_lossy(word).into_owned()))
            }
        };
        Ok(Some(t))
    }

    fn hex(&mut self) -> Result<Vec<u8>, PdfError> {
        let mut digits = Vec::new();
        loop {
            match self.peek() {
                None => return err("chaîne hexadécimale non terminée"),
                Some(b'>') => {
                    self.pos += 1;
                    break;
                }
                Some(c) if is_ws(c) => self.pos += 1,
                Some(c) => {
                    let d = char::from(c).to_digit(16).ok_or_else(|| {
                        PdfError(format!("chiffre hexadécimal invalide à {}", self.pos))
                    })?;
                    digits.push(u8::try_from(d).unwrap_or(0));
                    self.pos += 1;
                }
            }
        }
        if digits.len() % 2 == 1 {
            digits.push(0);
        }
        Ok(digits.chunks(2).map(|p| p[0] * 16 + p[1]).collect())
    }

    fn literal(&mut self) -> Result<Vec<u8>, PdfError> {
        let mut out = Vec::new();
        let mut depth = 1_u32;
        loop {
            let Some(c) = self.peek() else {
                return err("chaîne non terminée");
            };
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return err("chaîne non terminée");
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(u8::try_from(v & 0xff).unwrap_or(0));
                        }
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                b'\r' => {
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    out.push(b'\n');
                }
                _ => out.push(c),
            }
        }
    }
}

fn name(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#' {
            if let Some(v) = raw
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An integer, or a real number in thousandths (digits past the third decimal are dropped).
fn number(word: &[u8]) -> Option<Token> {
    let s = std::str::from_utf8(word).ok()?;
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return None;
    }
    let sign = if neg { -1 } else { 1 };
    match body.split_once('.') {
        None => Some(Token::Int(sign * body.parse::<i64>().ok()?)),
        Some((i, f)) => {
            if f.contains('.') || (i.is_empty() && f.is_empty()) {
                return None;
            }
            let int: i64 = if i.is_empty() { 0 } else { i.parse().ok()? };
            let mut frac = 0_i64;
            for k in 0..3 {
                frac = frac * 10 + f.as_bytes().get(k).map_or(0, |d| i64::from(d - b'0'));
            }
            Some(Token::Real(sign * (int.checked_mul(1000)? + frac)))
        }
    }
}

// ----- objects -----

struct Parser<'a> {
    lx: Lexer<'a>,
}

impl Parser<'_> {
    fn object(&mut self) -> Result<Object, PdfError> {
        let t = self
            .lx
            .next()?
            .ok_or_else(|| PdfError("fin de fichier inattendue".into()))?;
        self.object_from(t)
    }

    fn object_from(&mut self, t: Token) -> Result<Object, PdfError> {
        Ok(match t {
            Token::Int(i) => {
                // `n g R` is a reference
                let save = self.lx.pos;
                if let (Ok(Some(Token::Int(g))), true) = (self.lx.next(), i >= 0) {
                    if let Ok(Some(Token::Keyword(k))) = self.lx.next() {
                        if k == "R" {
                            return Ok(Object::Ref(
                                u32::try_from(i)
                                    .map_err(|_| PdfError("référence invalide".into()))?,
                                u16::try_from(g)
                                    .map_err(|_| PdfError("génération invalide".into()))?,
                            ));
                        }
                    }
                }
                self.lx.pos = save;
                Object::Int(i)
            }
            Token::Real(r) => Object::Real(r),
            Token::Name(n) => Object::Name(n),
            Token::Str(s) => Object::Str(s),
            Token::ArrayStart => {
                let mut items = Vec::new();
                loop {
                    match self.lx.next()? {
                        None => return err("tableau non terminé"),
                        Some(Token::ArrayEnd) => break,
                        Some(t) => items.push(self.object_from(t)?),
                    }
                }
                Object::Array(items)
            }
            Token::DictStart => {
                let mut d = BTreeMap::new();
                loop {
                    match self.lx.next()? {
                        None => return err("dictionnaire non terminé"),
                        Some(Token::DictEnd) => break,
                        Some(Token::Name(k)) => {
                            let v = self.object()?;
                            d.insert(k, v);
                        }
                        Some(t) => {
                            return err(format!("clé de dictionnaire attendue, trouvé {t:?}"))
                        }
                    }
                }
                Object::Dict(d)
            }
            Token::Keyword(k) => match k.as_str() {
                "true" => Object::Bool(true),
                "false" => Object::Bool(false),
                "null" => Object::Null,
                _ => return err(format!("mot-clé inattendu « {k} »")),
            },
            Token::ArrayEnd | Token::DictEnd => {
                return err("fin de tableau ou de dictionnaire inattendue")
            }
        })
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The file read: objects by number.
struct File {
    objects: BTreeMap<u32, Object>,
    trailer: BTreeMap<String, Object>,
}

impl File {
    fn get<'o>(&'o self, o: &'o Object) -> Result<&'o Object, PdfError> {
        match o {
            Object::Ref(n, _) => self
                .objects
                .get(n)
                .ok_or_else(|| PdfError(format!("objet {n} absent"))),
            other => Ok(other),
        }
    }

    fn dict_get<'o>(
        &'o self,
        d: &'o BTreeMap<String, Object>,
        key: &str,
    ) -> Result<&'o Object, PdfError> {
        self.get(
            d.get(key)
                .ok_or_else(|| PdfError(format!("clé /{key} absente")))?,
        )
    }
}

fn parse_file(pdf: &[u8]) -> Result<(String, File), PdfError> {
    if !pdf.starts_with(b"%PDF-") {
        return err("l'en-tête %PDF- manque");
    }
    let version: String = pdf[5..]
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'.')
        .map(|&c| char::from(c))
        .collect();
    let tail = &pdf[pdf.len().saturating_sub(32)..];
    if find_last(tail, b"%%EOF").is_none() {
        return err("%%EOF manque à la fin du fichier");
    }
    let sx = find_last(pdf, b"startxref").ok_or_else(|| PdfError("startxref manque".into()))?;
    let mut lx = Lexer::new(pdf, sx + 9);
    let Some(Token::Int(xref_at)) = lx.next()? else {
        return err("startxref sans position");
    };
    let xref_at = usize::try_from(xref_at).map_err(|_| PdfError("position négative".into()))?;
    if pdf.get(xref_at..xref_at + 4) != Some(b"xref") {
        return err(format!("startxref {xref_at} ne pointe pas sur « xref »"));
    }
    let mut lx = Lexer::new(pdf, xref_at + 4);
    let mut entries: BTreeMap<u32, usize> = BTreeMap::new();
    let mut size_seen = 0_u32;
    loop {
        match lx.next()? {
            Some(Token::Int(first)) => {
                let Some(Token::Int(count)) = lx.next()? else {
                    return err("section de xref sans nombre d'entrées");
                };
                // entries start after the end of the header line, 20 bytes each
                while matches!(lx.peek(), Some(b' ' | b'\r' | b'\n')) {
                    lx.pos += 1;
                }
                let first = u32::try_from(first).map_err(|_| PdfError("xref invalide".into()))?;
                let count = u32::try_from(count).map_err(|_| PdfError("xref invalide".into()))?;
                for k in 0..count {
                    let e = pdf
                        .get(lx.pos..lx.pos + 20)
                        .ok_or_else(|| PdfError("entrée de xref tronquée".into()))?;
                    let eol = &e[18..20];
                    if !(eol == b" \n" || eol == b" \r" || eol == b"\r\n")
                        || e[10] != b' '
                        || e[16] != b' '
                    {
                        return err(format!(
                            "entrée de xref {} mal formée (20 octets attendus)",
                            first + k
                        ));
                    }
                    let offset: usize = std::str::from_utf8(&e[0..10])
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| PdfError("position de xref invalide".into()))?;
                    match e[17] {
                        b'n' => {
                            entries.insert(first + k, offset);
                        }
                        b'f' => {}
                        _ => return err("type d'entrée de xref inconnu"),
                    }
                    lx.pos += 20;
                }
                size_seen = size_seen.max(first + count);
            }
            Some(Token::Keyword(k)) if k == "trailer" => break,
            _ => return err("« trailer » attendu après la table xref"),
        }
    }
    let mut p = Parser { lx };
    let Object::Dict(trailer) = p.object()? else {
        return err("le trailer n'est pas un dictionnaire");
    };
    match trailer.get("Size") {
        Some(Object::Int(n)) if i64::from(size_seen) == *n => {}
        other => return err(format!("/Size {other:?} ≠ {size_seen} entrées de xref")),
    }
    let mut objects = BTreeMap::new();
    for (&n, &offset) in &entries {
        let mut p = Parser {
            lx: Lexer::new(pdf, offset),
        };
        match (p.lx.next()?, p.lx.next()?, p.lx.next()?) {
            (Some(Token::Int(num)), Some(Token::Int(_)), Some(Token::Keyword(k)))
                if k == "obj" && num == i64::from(n) => {}
            _ => {
                return err(format!(
                    "l'objet {n} n'est pas à la position {offset} donnée par xref"
                ))
            }
        }
        let mut o = p.object()?;
        let save = p.lx.pos;
        match p.lx.next()? {
            Some(Token::Keyword(k)) if k == "stream" => {
                let Object::Dict(d) = o else {
                    return err(format!("flux sans dictionnaire (objet {n})"));
                };
                let mut at = p.lx.pos;
                if pdf.get(at) == Some(&b'\r') {
                    at += 1;
                }
                if pdf.get(at) != Some(&b'\n') {
                    return err(format!("« stream » doit finir sa ligne (objet {n})"));
                }
                at += 1;
                let len = match d.get("Length") {
                    Some(Object::Int(l)) => {
                        usize::try_from(*l).map_err(|_| PdfError("longueur négative".into()))?
                    }
                    other => return err(format!("/Length {other:?} (objet {n})")),
                };
                let data = pdf
                    .get(at..at + len)
                    .ok_or_else(|| PdfError(format!("flux tronqué (objet {n})")))?
                    .to_vec();
                let mut lx = Lexer::new(pdf, at + len);
                match lx.next()? {
                    Some(Token::Keyword(k)) if k == "endstream" => {}
                    _ => {
                        return err(format!(
                            "/Length {len} faux : « endstream » absent (objet {n})"
                        ))
                    }
                }
                p.lx = lx;
                o = Object::Stream(d, data);
            }
            _ => p.lx.pos = save,
        }
        match p.lx.next()? {
            Some(Token::Keyword(k)) if k == "endobj" => {}
            _ => return err(format!("« endobj » manque (objet {n})")),
        }
        objects.insert(n, o);
    }
    Ok((version, File { objects, trailer }))
}

/// Checks the structure of a PDF file and returns its pages: the header, `startxref`, every
/// cross-reference entry (20 bytes, pointing exactly at `n 0 obj`), `/Size`, the catalog, the
/// page tree, every stream's `/Length`.
///
/// # Errors
/// [`PdfError`] saying what is wrong.
pub fn inspect(pdf: &[u8]) -> Result<PdfInfo, PdfError> {
    let (version, file) = parse_file(pdf)?;
    let root = file.dict_get(&file.trailer, "Root")?;
    let catalog = root
        .dict()
        .ok_or_else(|| PdfError("catalogue invalide".into()))?;
    if file.dict_get(catalog, "Type")?.name() != Some("Catalog") {
        return err("/Root n'est pas un /Catalog");
    }
    let tree = file
        .dict_get(catalog, "Pages")?
        .dict()
        .ok_or_else(|| PdfError("arbre des pages invalide".into()))?;
    let mut pages = Vec::new();
    collect_pages(&file, tree, &mut pages, 0)?;
    if let Some(Object::Int(count)) = tree.get("Count") {
        if usize::try_from(*count).ok() != Some(pages.len()) {
            return err(format!("/Count {count} ≠ {} pages", pages.len()));
        }
    }
    Ok(PdfInfo {
        version,
        objects: file.objects.len(),
        pages,
    })
}

fn collect_pages(
    file: &File,
    node: &BTreeMap<String, Object>,
    out: &mut Vec<PageInfo>,
    depth: u32,
) -> Result<(), PdfError> {
    if depth > 32 {
        return err("arbre des pages trop profond");
    }
    let Object::Array(kids) = file.dict_get(node, "Kids")? else {
        return err("/Kids n'est pas un tableau");
    };
    for k in kids {
        let d = file
            .get(k)?
            .dict()
            .ok_or_else(|| PdfError("page invalide".into()))?;
        match file.dict_get(d, "Type")?.name() {
            Some("Pages") => collect_pages(file, d, out, depth + 1)?,
            Some("Page") => out.push(page_info(file, d)?),
            other => return err(format!("nœud de page de type {other:?}")),
        }
    }
    Ok(())
}

fn page_info(file: &File, d: &BTreeMap<String, Object>) -> Result<PageInfo, PdfError> {
    let Object::Array(mb) = file.dict_get(d, "MediaBox")? else {
        return err("/MediaBox invalide");
    };
    let nums: Vec<i64> = mb.iter().filter_map(Object::millis).collect();
    let [x0, y0, x1, y1] = nums[..] else {
        return err("/MediaBox invalide");
    };
    let mut fonts = BTreeMap::new();
    let res = file
        .dict_get(d, "Resources")?
        .dict()
        .ok_or_else(|| PdfError("/Resources invalide".into()))?;
    if let Some(f) = res.get("Font") {
        let f = file
            .get(f)?
            .dict()
            .ok_or_else(|| PdfError("/Font invalide".into()))?;
        for (k, v) in f {
            let fd = file
                .get(v)?
                .dict()
                .ok_or_else(|| PdfError("police invalide".into()))?;
            let base = file
                .dict_get(fd, "BaseFont")?
                .name()
                .unwrap_or_default()
                .to_owned();
            let enc = fd
                .get("Encoding")
                .and_then(|e| file.get(e).ok())
                .and_then(Object::name)
                .unwrap_or_default()
                .to_owned();
            fonts.insert(k.clone(), (base, enc));
        }
    }
    let mut content = Vec::new();
    let c = file.dict_get(d, "Contents")?;
    let parts: Vec<&Object> = match c {
        Object::Array(a) => a.iter().map(|o| file.get(o)).collect::<Result<_, _>>()?,
        other => vec![other],
    };
    for p in parts {
        let Object::Stream(sd, data) = p else {
            return err("/Contents n'est pas un flux");
        };
        if sd.contains_key("Filter") {
            return err("flux compressé : non pris en charge");
        }
        content.extend_from_slice(data);
        content.push(b'\n');
    }
    Ok(PageInfo {
        width: (x1 - x0) / 1000,
        height: (y1 - y0) / 1000,
        fonts,
        content,
    })
}

// ----- text -----

/// A piece of text shown at a position (thousandths of a point).
struct Run {
    x: i64,
    y: i64,
    text: String,
}

/// The text shown by a content stream, in the order of the operators.
fn runs(content: &[u8]) -> Result<Vec<Run>, PdfError> {
    let mut p = Parser {
        lx: Lexer::new(content, 0),
    };
    let mut operands: Vec<Object> = Vec::new();
    let mut out = Vec::new();
    // line origin (x, y) and leading
    let (mut x, mut y, mut tl) = (0_i64, 0_i64, 0_i64);
    let show = |out: &mut Vec<Run>, x: i64, y: i64, s: String| {
        out.push(Run { x, y, text: s });
    };
    while let Some(t) = p.lx.next()? {
        let Token::Keyword(op) = t else {
            let o = p.object_from(t)?;
            operands.push(o);
            continue;
        };
        let num = |i: usize| operands.get(i).and_then(Object::millis).unwrap_or(0);
        let last_str = || match operands.last() {
            Some(Object::Str(s)) => winansi::decode(s),
            _ => String::new(),
        };
        match op.as_str() {
            "BT" => (x, y) = (0, 0),
            "Td" => {
                x += num(0);
                y += num(1);
            }
            "TD" => {
                x += num(0);
                y += num(1);
                tl = -num(1);
            }
            "Tm" => (x, y) = (num(4), num(5)),
            "TL" => tl = num(0),
            "T*" => y -= tl,
            "Tj" => show(&mut out, x, y, last_str()),
            "'" | "\"" => {
                y -= tl;
                show(&mut out, x, y, last_str());
            }
            "TJ" => {
                let mut s = String::new();
                if let Some(Object::Array(items)) = operands.last() {
                    for it in items {
                        match it {
                            Object::Str(b) => s.push_str(&winansi::decode(b)),
                            // a large negative adjustment is a word space
                            o if o.millis().is_some_and(|v| v < -200_000) => s.push(' '),
                            _ => {}
                        }
                    }
                }
                show(&mut out, x, y, s);
            }
            _ => {}
        }
        operands.clear();
    }
    Ok(out)
}

/// The text of a page: runs ordered top to bottom, then left to right; runs on one baseline
/// (within 1 pt) form one line, separated by a tab.
fn page_text(runs: Vec<Run>) -> String {
    let mut runs: Vec<Run> = runs.into_iter().filter(|r| !r.text.is_empty()).collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.y));
    let mut lines: Vec<Vec<Run>> = Vec::new();
    for r in runs {
        match lines.last_mut() {
            Some(l) if l.first().is_some_and(|f| f.y - r.y <= 1000) => l.push(r),
            _ => lines.push(vec![r]),
        }
    }
    lines
        .into_iter()
        .map(|mut l| {
            l.sort_by_key(|r| r.x);
            l.into_iter().map(|r| r.text).collect::<Vec<_>>().join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text shown in a PDF written by this crate, decoded from WinAnsi: one line per
/// baseline, top to bottom; pieces on one baseline separated by a tab; pages separated by a
/// form feed (`\u{c}`) line. Empty when the file is not readable (see [`inspect`]).
#[must_use]
pub fn pdf_text(pdf: &[u8]) -> String {
    let Ok(info) = inspect(pdf) else {
        return String::new();
    };
    info.pages
        .iter()
        .map(|p| runs(&p.content).map(page_text).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n\u{c}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert_eq!(number(b"12"), Some(Token::Int(12)));
        assert_eq!(number(b"-0.25"), Some(Token::Real(-250)));
        assert_eq!(number(b".5"), Some(Token::Real(500)));
        assert_eq!(number(b"3."), Some(Token::Real(3000)));
        assert_eq!(number(b"1.23456"), Some(Token::Real(1234)));
        assert_eq!(number(b"Tj"), None);
        assert_eq!(number(b"-"), None);
        assert_eq!(name(b"A#20B"), "A B");
        let mut lx = Lexer::new(b"(a\\(b\\)\\351\\\nc (x)) <48 65 6C6>", 0);
        assert_eq!(
            lx.next().ok().flatten(),
            Some(Token::Str(b"a(b)\xe9c (x)".to_vec()))
        );
        assert_eq!(lx.next().ok().flatten(), Some(Token::Str(b"Hel`".to_vec())));
    }

    #[test]
    fn text_runs_on_lines() {
        let c = b"BT /F1 10 Tf 10 100 Td (Nom) Tj ET\nBT /F2 10 Tf 200 100.4 Td (Awa) Tj ET\n\
                  BT /F1 10 Tf 12 TL 10 80 Td [(deux) -300 (cents)] TJ T* (x) Tj ET";
        let r = runs(c).unwrap_or_default();
        assert_eq!(page_text(r), "Nom\tAwa\ndeux cents\nx");
    }

    #[test]
    fn broken_files_are_refused() {
        assert!(inspect(b"hello").is_err());
        assert!(inspect(b"%PDF-1.4\n%%EOF").is_err());
        assert_eq!(pdf_text(b"nope"), "");
    }
}

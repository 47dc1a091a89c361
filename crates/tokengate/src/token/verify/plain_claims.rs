//! The claims of a payload read in one pass, for the shape most tokens have: a flat JSON
//! object of plain strings and integers (nested values only under `aud`, `user` and `auth`).
//!
//! The general path scans the payload for repeated member names and then has serde_json
//! parse it: two passes, a derived visitor with a flattened extra, and a member-name match
//! per member. This reader does both jobs in one pass over the top level, and it only ever
//! *accepts*: whenever the payload leaves the plain shape (an escape, a fraction, a nested
//! value it does not know), or anything about it looks wrong (a repeated name, a wrong type,
//! bad UTF-8), it answers `None` and the general path decides, with its precise error. So it
//! cannot accept a payload the general path refuses, nor read one differently; unit tests and
//! the `verify_signed` fuzz target compare the two.
//!
//! Hand-written because it saves 0.46 µs on every full verification of an access token: with
//! it, tokengate verified one in 0.73 µs, with the general path alone in 1.19 µs (criterion,
//! many distinct tokens, `cargo bench -p tokengate --bench verify -- verify/access`, with this
//! function answering `None` for the second figure; 2026-12-07, BENCHMARKS.md).

use std::any::Any;
use std::collections::BTreeMap;

use crate::token::claims::{Audience, Claims, NoExtra, MAX_NUMERIC_DATE};
use crate::token::collaboration::{Auth, CsUser, Grant, Permission, Role};

/// The claims of `json` when `E` is [`NoExtra`] and the payload has the plain shape; `None`
/// otherwise (the caller then takes the general path).
pub(super) fn plain_claims<E: 'static>(json: &[u8]) -> Option<Claims<E>> {
    // App-defined claims are read by the app's own `Deserialize`, through the general path.
    if std::any::TypeId::of::<E>() != std::any::TypeId::of::<NoExtra>() {
        return None;
    }
    let mut claims: Option<Claims<E>> = None;
    let slot: &mut dyn Any = &mut claims;
    // Filled where it lies: the claims are a few hundred bytes, and every move copies them.
    let filled = slot
        .downcast_mut::<Option<Claims<NoExtra>>>()?
        .insert(Claims::default());
    read(json, filled)?;
    claims
}

fn read(json: &[u8], claims: &mut Claims<NoExtra>) -> Option<()> {
    // One check of the whole payload; every slice taken below starts and ends at an ASCII
    // byte, so each is UTF-8 too.
    let json = std::str::from_utf8(json).ok()?;
    let mut input = Input { json, at: 0 };
    input.skip_whitespace();
    input.object(|input, name| input.claim(name, claims))?;
    input.skip_whitespace();
    (input.at == json.len()).then_some(())
}

/// The most members an object may have to be read here: a larger one takes the general path.
const MAX_MEMBERS: usize = 64;

/// Member names kept on the stack per object; more spill to the heap.
const INLINE_NAMES: usize = 8;

/// The names of one object's members so far, to find a repeated one.
struct SeenNames<'a> {
    inline: [MemberName<'a>; INLINE_NAMES],
    count: usize,
    spilled: Vec<MemberName<'a>>,
}

impl<'a> SeenNames<'a> {
    fn new() -> Self {
        SeenNames {
            inline: [MemberName::default(); INLINE_NAMES],
            count: 0,
            spilled: Vec::new(),
        }
    }

    /// Adds `name`; false if it was there already or the object has too many members.
    fn add(&mut self, name: MemberName<'a>) -> bool {
        let inline = &self.inline[..self.count.min(INLINE_NAMES)];
        if self.count == MAX_MEMBERS || inline.iter().chain(&self.spilled).any(|seen| seen.is(name))
        {
            return false;
        }
        match self.inline.get_mut(self.count) {
            Some(slot) => *slot = name,
            None => self.spilled.push(name),
        }
        self.count += 1;
        true
    }
}

/// A member name, with its first eight bytes as one word: claim names are short, so
/// telling two apart rarely needs more than one comparison.
#[derive(Clone, Copy, Default)]
struct MemberName<'a> {
    head: u64,
    text: &'a str,
}

impl<'a> MemberName<'a> {
    /// The name `text`, which starts at `start` in `json`.
    fn new(json: &'a str, start: usize, text: &'a str) -> Self {
        let bytes = json.as_bytes();
        // Eight bytes at once, then the bytes past the name masked off: copying a shorter
        // name byte by byte would make the word wait for those stores.
        let word = match bytes
            .get(start..start + 8)
            .and_then(|eight| <[u8; 8]>::try_from(eight).ok())
        {
            Some(eight) => u64::from_le_bytes(eight),
            None => {
                let mut eight = [0u8; 8];
                let tail = &bytes[start..(start + 8).min(bytes.len())];
                eight[..tail.len()].copy_from_slice(tail);
                u64::from_le_bytes(eight)
            }
        };
        let head = match text.len() {
            0 => 0,
            len @ 1..8 => word & (u64::MAX >> (64 - 8 * len)),
            _ => word,
        };
        MemberName { head, text }
    }

    /// The name as one word, if it has at most eight bytes: what [`word`] makes of a name
    /// known in advance. (A name cannot end in a zero byte, which JSON strings only hold
    /// escaped, so padding never makes two names one.)
    fn short(self) -> Option<u64> {
        (self.text.len() <= 8).then_some(self.head)
    }

    fn is(self, other: MemberName<'_>) -> bool {
        // Bytes, not `str` slices: the eighth byte may fall inside a character.
        let (ours, theirs) = (self.text.as_bytes(), other.text.as_bytes());
        self.head == other.head
            && ours.len() == theirs.len()
            && (ours.len() <= 8 || ours[8..] == theirs[8..])
    }
}

/// A name of at most eight bytes as one word, to match [`MemberName::short`].
const fn word(name: &str) -> u64 {
    let bytes = name.as_bytes();
    assert!(bytes.len() <= 8);
    let mut head = [0u8; 8];
    let mut at = 0;
    while at < bytes.len() {
        head[at] = bytes[at];
        at += 1;
    }
    u64::from_le_bytes(head)
}

const ISS: u64 = word("iss");
const SUB: u64 = word("sub");
const AUD: u64 = word("aud");
const EXP: u64 = word("exp");
const NBF: u64 = word("nbf");
const IAT: u64 = word("iat");
const JTI: u64 = word("jti");
const SID: u64 = word("sid");
const USER: u64 = word("user");
const AUTH: u64 = word("auth");
const SCOPE: u64 = word("scope");
const NAME: u64 = word("name");
const EMAIL: u64 = word("email");
const ID: u64 = word("id");
const AVATAR: u64 = word("avatar");
const ROLE: u64 = word("role");
const CNF: u64 = word("cnf");

/// Where the content of a string ends in `rest`: the first `"`, `\` or control character.
///
/// Eight bytes at a time: for each of the three tests, the word's bytes that pass it get
/// their high bit set (the usual "has a zero byte" arithmetic). A borrow can flag a byte
/// above one that truly passes, never below it, so the lowest flag is exact.
fn string_end(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = ONES * 0x80;
    let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let (words, tail) = rest.as_chunks::<8>();
    for (index, word) in words.iter().enumerate() {
        let word = u64::from_le_bytes(*word);
        let flags = zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')))
            // Below 0x20: subtracting 0x20 borrows, and the byte had no high bit.
            | word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        if flags != 0 {
            // Little-endian: the lowest flag is the first byte in the text.
            return Some(index * 8 + flags.trailing_zeros() as usize / 8);
        }
    }
    let at = words.len() * 8;
    tail.iter()
        .position(|&byte| matches!(byte, b'"' | b'\\' | 0..=0x1f))
        .map(|len| at + len)
}

/// A position in the payload.
struct Input<'a> {
    json: &'a str,
    at: usize,
}

impl<'a> Input<'a> {
    fn peek(&self) -> Option<u8> {
        self.json.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// JSON's whitespace: space, tab, line feed, carriage return.
    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// An object whose member names are distinct strings without escapes; `member` reads the
    /// value of each, by name.
    fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, MemberName<'a>) -> Option<()>,
    ) -> Option<()> {
        self.expect(b'{')?;
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(());
        }
        let mut names = SeenNames::new();
        loop {
            let start = self.at + 1;
            let name = MemberName::new(self.json, start, self.string()?);
            if !names.add(name) {
                return None;
            }
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip_whitespace();
            member(self, name)?;
            self.skip_whitespace();
            match self.next()? {
                b',' => self.skip_whitespace(),
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// A string without escapes or control characters.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let rest = &self.json.as_bytes()[self.at..];
        let len = string_end(rest)?;
        if rest[len] != b'"' {
            return None;
        }
        let text = &self.json[self.at..self.at + len];
        self.at += len + 1;
        Some(text)
    }

    /// A string, owned.
    fn owned_string(&mut self) -> Option<String> {
        self.string().map(str::to_owned)
    }

    /// The digits of an integer without fraction or exponent, and without a leading zero
    /// (`01` is not JSON); at most `max_digits` of them.
    fn integer_digits(&mut self, max_digits: usize) -> Option<&'a [u8]> {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        let digits = &self.json.as_bytes()[start..self.at];
        let leading_zero = digits.len() > 1 && digits[0] == b'0';
        let number_goes_on = matches!(self.peek(), Some(b'.' | b'e' | b'E'));
        (!digits.is_empty() && digits.len() <= max_digits && !leading_zero && !number_goes_on)
            .then_some(digits)
    }

    /// A numeric date: a non-negative integer, at most [`MAX_NUMERIC_DATE`].
    fn numeric_date(&mut self) -> Option<u64> {
        let value = self.integer_digits(19)?.iter().fold(0u64, |value, digit| {
            // 19 digits fit in a u64.
            value * 10 + u64::from(digit - b'0')
        });
        (value <= MAX_NUMERIC_DATE).then_some(value)
    }

    /// The value of a member nobody reads: a string, an integer of at most 18 digits,
    /// `true`, `false` or `null`. Anything else leaves the plain shape.
    fn skip_scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'-' => {
                self.at += 1;
                self.integer_digits(18).map(drop)
            }
            b'0'..=b'9' => self.integer_digits(18).map(drop),
            _ => {
                let rest = &self.json[self.at..];
                let literal = ["true", "false", "null"]
                    .into_iter()
                    .find(|literal| rest.starts_with(literal))?;
                self.at += literal.len();
                Some(())
            }
        }
    }

    /// An array of strings, each read by `item`.
    fn strings<T>(&mut self, mut item: impl FnMut(&'a str) -> T) -> Option<Vec<T>> {
        self.expect(b'[')?;
        self.skip_whitespace();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Some(items);
        }
        loop {
            items.push(item(self.string()?));
            self.skip_whitespace();
            match self.next()? {
                b',' => self.skip_whitespace(),
                b']' => return Some(items),
                _ => return None,
            }
        }
    }

    /// Reads the value of the top-level member `name` into `claims`.
    fn claim(&mut self, name: MemberName<'_>, claims: &mut Claims<NoExtra>) -> Option<()> {
        match name.short() {
            Some(ISS) => claims.iss = Some(self.owned_string()?),
            Some(SUB) => claims.sub = Some(self.owned_string()?),
            Some(JTI) => claims.jti = Some(self.owned_string()?),
            Some(SID) => claims.sid = Some(self.owned_string()?),
            Some(SCOPE) => claims.scope = Some(self.owned_string()?),
            Some(NAME) => claims.name = Some(self.owned_string()?),
            Some(EMAIL) => claims.email = Some(self.owned_string()?),
            Some(EXP) => claims.exp = Some(self.numeric_date()?),
            Some(NBF) => claims.nbf = Some(self.numeric_date()?),
            Some(IAT) => claims.iat = Some(self.numeric_date()?),
            Some(AUD) => {
                claims.aud = Some(match self.peek()? {
                    b'[' => Audience::Many(self.strings(str::to_owned)?),
                    _ => Audience::One(self.owned_string()?),
                });
            }
            Some(USER) => claims.user = Some(self.user()?),
            Some(AUTH) => claims.auth = Some(self.auth()?),
            // A bound token: rare enough for the general path to read its `cnf`.
            Some(CNF) => return None,
            _ => self.skip_scalar()?,
        }
        Some(())
    }

    /// CKEditor's `user`: `id`, `name`, `email` and `avatar`, all strings.
    fn user(&mut self) -> Option<CsUser> {
        let mut user = CsUser::default();
        self.object(|input, name| {
            match name.short() {
                Some(ID) => user.id = Some(input.owned_string()?),
                Some(NAME) => user.name = Some(input.owned_string()?),
                Some(EMAIL) => user.email = Some(input.owned_string()?),
                Some(AVATAR) => user.avatar = Some(input.owned_string()?),
                _ => input.skip_scalar()?,
            }
            Some(())
        })?;
        Some(user)
    }

    /// CKEditor's `auth`: `collaboration`, grants by document id.
    fn auth(&mut self) -> Option<Auth> {
        let mut collaboration = BTreeMap::new();
        self.object(|input, name| match name.text {
            "collaboration" => input.object(|input, document| {
                collaboration.insert(document.text.to_owned(), input.grant()?);
                Some(())
            }),
            _ => input.skip_scalar(),
        })?;
        Some(Auth { collaboration })
    }

    /// One document's grant: `role` and `permissions`.
    fn grant(&mut self) -> Option<Grant> {
        let mut grant = Grant::default();
        self.object(|input, name| {
            match name.short() {
                Some(ROLE) => grant.role = Some(Role::from(input.string()?)),
                _ if name.text == "permissions" => {
                    grant.permissions = input.strings(|name| Permission::new(name.to_owned()))?;
                }
                _ => input.skip_scalar()?,
            }
            Some(())
        })?;
        Some(grant)
    }
}

#[cfg(test)]
mod tests;

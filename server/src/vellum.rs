//! What bluge's regexp automaton refuses. A label query's `/regexp/` that
//! Go's parser takes (`goregexp`) is then compiled by vellum (v1.2.0, as
//! Nakama 3.40.0 builds it) into byte-level instructions and a DFA, which
//! refuse zero-width assertions, word boundaries and lazy repetitions, more
//! than 10 MiB of instructions (`too many instructions`: `\pL{100}`) and
//! more than 10 000 DFA states (`dfa contains more than 10000 states`:
//! `.*x.{10}`, `.{1000}`). The dev host matches with the `regex` crate,
//! which takes all of these, so this follows vellum's construction to
//! refuse what Nakama refuses, in its words.
//!
//! It compiles the `regex-syntax` HIR of the pattern, not Go's parse tree:
//! where the two trees differ in shape (`a{1,}` is read as `a+`, Go
//! factors alternations its own way), the counts may differ a little, so a
//! pattern within a few states or instructions of a limit may be answered
//! otherwise than Nakama does. Not followed: `(?U)`, under which Go marks
//! every node it makes as lazy (vellum then refuses `(?U)a`).
//!
//! [`as_matched`] gives what the automaton then matches where that is not
//! what the pattern means to the `regex` crate (a class of no character).

use std::collections::HashSet;

use regex_syntax::hir::{Capture, Class, Hir, HirKind, Look, Repetition};
use regex_syntax::utf8::Utf8Sequences;

/// vellum's `DefaultLimit` (10 MiB) over its `instSize` (40 bytes).
const MAX_INSTRUCTIONS: usize = 10 * (1 << 20) / 40;

/// vellum's `StateLimit`: the DFA may hold this many states, its dead
/// state included.
const MAX_STATES: usize = 10_000;

/// One instruction of vellum's program.
#[derive(Clone, Copy)]
enum Inst {
    Match,
    Jump(usize),
    Split(usize, usize),
    /// A byte in this range, then the next instruction.
    Range(u8, u8),
}

/// vellum's refusal of `hir`, in its words, or `None` when it builds the
/// automaton.
pub fn refusal(hir: &Hir) -> Option<&'static str> {
    let mut program = Program::default();
    if let Err(refused) = program.compile(hir) {
        return Some(refused);
    }
    program.insts.push(Inst::Match);
    (dfa_states(&program.insts) > MAX_STATES).then_some("dfa contains more than 10000 states")
}

/// What vellum's automaton matches where it differs from `hir`'s meaning:
/// a class of no character (`[^\x00-\x{10FFFF}]`, `[^\d\D]`) compiles
/// to nothing, so it matches the empty text (`a[^\d\D]b` takes `ab`).
/// `None` when `hir` holds no such class. Not followed: Go's factoring of
/// a common prefix out of alternatives, after which an empty class may
/// merge into a class (`x[^\d\D]|xy` is `x[y]` to Go).
pub fn as_matched(hir: &Hir) -> Option<Hir> {
    let changed = |subs: &[Hir]| -> Option<Vec<Hir>> {
        let mut any = false;
        let subs = subs
            .iter()
            .map(|sub| match as_matched(sub) {
                Some(sub) => {
                    any = true;
                    sub
                }
                None => sub.clone(),
            })
            .collect();
        any.then_some(subs)
    };
    Some(match hir.kind() {
        HirKind::Class(_) if is_empty_class(hir) => Hir::empty(),
        HirKind::Capture(capture) => Hir::capture(Capture {
            sub: Box::new(as_matched(&capture.sub)?),
            ..capture.clone()
        }),
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(as_matched(&rep.sub)?),
            ..rep.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(changed(subs)?),
        HirKind::Alternation(subs) => {
            // Go's parser merges each run of one-character alternatives
            // (literals and classes) into one class, where an empty class
            // adds nothing (`[^\d\D]|x` is `[x]`).
            let one_char = |sub: &Hir| match sub.kind() {
                HirKind::Class(_) => true,
                HirKind::Literal(literal) => {
                    std::str::from_utf8(&literal.0).is_ok_and(|s| s.chars().count() == 1)
                }
                _ => false,
            };
            let merged = |i: usize| {
                let run = subs[..i].iter().rev().take_while(|sub| one_char(sub));
                let after = subs[i + 1..].iter().take_while(|sub| one_char(sub));
                run.chain(after).any(|sub| !is_empty_class(sub))
            };
            let kept: Vec<Hir> = (0..subs.len())
                .filter(|&i| !(is_empty_class(&subs[i]) && merged(i)))
                .map(|i| subs[i].clone())
                .collect();
            let dropped = kept.len() < subs.len();
            match changed(&kept) {
                Some(kept) => Hir::alternation(kept),
                None if dropped => Hir::alternation(kept),
                None => return None,
            }
        }
        _ => return None,
    })
}

fn is_empty_class(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => class.ranges().is_empty(),
        HirKind::Class(Class::Bytes(class)) => class.ranges().is_empty(),
        _ => false,
    }
}

/// The instructions compiled so far.
#[derive(Default)]
struct Program {
    insts: Vec<Inst>,
}

impl Program {
    /// Compiles `hir` as vellum compiles the Go node it stands for: the
    /// first refusal in the walk's order, the size checked where vellum
    /// checks it (after a literal, an alternation or a repetition; not
    /// after a class, a group or a concatenation on their own).
    fn compile(&mut self, hir: &Hir) -> Result<(), &'static str> {
        match hir.kind() {
            HirKind::Empty => return Ok(()),
            HirKind::Look(look) => return Err(look_refusal(*look)),
            HirKind::Literal(literal) => {
                // A rune's UTF-8 bytes, one range each: the literal's bytes.
                for &b in literal.0.iter() {
                    self.insts.push(Inst::Range(b, b));
                }
            }
            HirKind::Class(class) => return self.class(class),
            HirKind::Capture(capture) => return self.compile(&capture.sub),
            HirKind::Concat(subs) => {
                for sub in subs {
                    self.compile(sub)?;
                }
                return Ok(());
            }
            HirKind::Alternation(subs) => {
                let ends = self.either(subs.len(), |program, i| program.compile(&subs[i]))?;
                self.aim(ends);
            }
            HirKind::Repetition(rep) => {
                if !rep.greedy {
                    return Err("lazy quantifiers are not allowed");
                }
                match (rep.min, rep.max) {
                    (0, None) => return self.star(&rep.sub),
                    // `+`: the body, then a split back to it or on.
                    (1, None) => {
                        let start = self.insts.len();
                        self.compile(&rep.sub)?;
                        let next = self.insts.len() + 1;
                        self.insts.push(Inst::Split(start, next));
                    }
                    (min, None) => {
                        for _ in 0..min {
                            self.compile(&rep.sub)?;
                        }
                        return self.star(&rep.sub);
                    }
                    (min, Some(max)) => {
                        for _ in 0..min {
                            self.compile(&rep.sub)?;
                        }
                        // Each optional copy: a split to it or to the end.
                        let mut splits = Vec::new();
                        for _ in min..max {
                            splits.push(self.insts.len());
                            self.insts.push(Inst::Split(0, 0));
                            self.compile(&rep.sub)?;
                        }
                        let end = self.insts.len();
                        for split in splits {
                            self.insts[split] = Inst::Split(split + 1, end);
                        }
                    }
                }
            }
        }
        self.size_checked()
    }

    fn size_checked(&self) -> Result<(), &'static str> {
        match self.insts.len() > MAX_INSTRUCTIONS {
            true => Err("too many instructions"),
            false => Ok(()),
        }
    }

    /// `*`: a split to the body or on, the body, a jump back to the split.
    fn star(&mut self, sub: &Hir) -> Result<(), &'static str> {
        let split = self.insts.len();
        self.insts.push(Inst::Split(0, 0));
        self.compile(sub)?;
        self.insts.push(Inst::Jump(split));
        self.insts[split] = Inst::Split(split + 1, self.insts.len());
        self.size_checked()
    }

    /// `count` alternatives, each but the last behind a split and followed
    /// by a jump to be aimed at the end: the jumps' places.
    fn either(
        &mut self,
        count: usize,
        mut each: impl FnMut(&mut Program, usize) -> Result<(), &'static str>,
    ) -> Result<Vec<usize>, &'static str> {
        let mut jumps = Vec::new();
        for i in 0..count {
            if i + 1 == count {
                each(self, i)?;
                break;
            }
            let split = self.insts.len();
            self.insts.push(Inst::Split(0, 0));
            each(self, i)?;
            jumps.push(self.insts.len());
            self.insts.push(Inst::Jump(0));
            self.insts[split] = Inst::Split(split + 1, self.insts.len());
        }
        Ok(jumps)
    }

    /// A class: its ranges as alternatives, each range's UTF-8 sequences
    /// as alternatives within it (an empty class compiles to nothing, as
    /// in vellum).
    fn class(&mut self, class: &Class) -> Result<(), &'static str> {
        let class = match class {
            Class::Unicode(class) => class,
            // Only `(?-u)` makes one, which Go's parser refuses: its
            // ranges are bytes.
            Class::Bytes(class) => {
                let ranges = class.ranges();
                let ends = self.either(ranges.len(), |program, i| {
                    program
                        .insts
                        .push(Inst::Range(ranges[i].start(), ranges[i].end()));
                    Ok(())
                })?;
                self.aim(ends);
                return Ok(());
            }
        };
        let ranges = class.ranges();
        let ends = self.either(ranges.len(), |program, i| {
            let sequences: Vec<_> =
                Utf8Sequences::new(ranges[i].start(), ranges[i].end()).collect();
            let ends = program.either(sequences.len(), |program, j| {
                for range in sequences[j].as_slice() {
                    program.insts.push(Inst::Range(range.start, range.end));
                }
                Ok(())
            })?;
            program.aim(ends);
            Ok(())
        })?;
        self.aim(ends);
        Ok(())
    }

    /// Aims `jumps` at the next instruction.
    fn aim(&mut self, jumps: Vec<usize>) {
        let end = self.insts.len();
        for jump in jumps {
            self.insts[jump] = Inst::Jump(end);
        }
    }
}

fn look_refusal(look: Look) -> &'static str {
    match look {
        Look::WordAscii
        | Look::WordAsciiNegate
        | Look::WordUnicode
        | Look::WordUnicodeNegate
        | Look::WordStartAscii
        | Look::WordEndAscii
        | Look::WordStartUnicode
        | Look::WordEndUnicode
        | Look::WordStartHalfAscii
        | Look::WordEndHalfAscii
        | Look::WordStartHalfUnicode
        | Look::WordEndHalfUnicode => "word boundaries are not allowed",
        _ => "zero width assertions not allowed",
    }
}

/// The states of vellum's DFA for `insts` (its dead state included), or
/// one more than [`MAX_STATES`] once past it. A state is the list of the
/// range and match instructions reached, in the order vellum's
/// depth-first walk adds them: two orders are two states, as in vellum.
fn dfa_states(insts: &[Inst]) -> usize {
    // vellum tries each of the 256 bytes from each state; bytes no range
    // tells apart lead to the same state, so each class of them is tried
    // once, and only from the ranges that take it.
    let mut starts = [false; 257];
    for inst in insts {
        if let Inst::Range(lo, hi) = *inst {
            starts[lo as usize] = true;
            starts[hi as usize + 1] = true;
        }
    }
    let mut class_of = [0usize; 256];
    let mut classes = 0;
    for b in 0..256 {
        if starts[b] && b > 0 {
            classes += 1;
        }
        class_of[b] = classes;
    }
    let mut taken: Vec<Vec<usize>> = vec![Vec::new(); classes + 1];

    let mut set = Set::new(insts.len());
    set.add(insts, 0);
    let start = set.key(insts);
    if start.is_empty() {
        return 1;
    }
    // Keys of u32 (a program holds at most MAX_INSTRUCTIONS): 10 000 states
    // of a large class's alternatives are many keys of hundreds each.
    let mut known: HashSet<Vec<u32>> = HashSet::from([start.clone()]);
    let mut todo = vec![start];
    while let Some(state) = todo.pop() {
        for &ip in &state {
            let ip = ip as usize;
            if let Inst::Range(lo, hi) = insts[ip] {
                let classes = class_of[lo as usize]..=class_of[hi as usize];
                for next in &mut taken[classes] {
                    next.push(ip + 1);
                }
            }
        }
        for next in taken.iter_mut().filter(|next| !next.is_empty()) {
            set.clear();
            for ip in next.drain(..) {
                set.add(insts, ip);
            }
            let next = set.key(insts);
            if next.is_empty() || known.contains(&next) {
                continue;
            }
            known.insert(next.clone());
            if known.len() + 1 > MAX_STATES {
                return known.len() + 1;
            }
            todo.push(next);
        }
    }
    known.len() + 1
}

/// vellum's sparse set: the instructions reached, in the order reached.
struct Set {
    order: Vec<usize>,
    member: Vec<bool>,
}

impl Set {
    fn new(len: usize) -> Set {
        Set {
            order: Vec::new(),
            member: vec![false; len],
        }
    }

    fn clear(&mut self) {
        for &ip in &self.order {
            self.member[ip] = false;
        }
        self.order.clear();
    }

    /// Adds `ip` and what its jumps and splits reach, depth first
    /// (an explicit stack: a long pattern's chain is deep).
    fn add(&mut self, insts: &[Inst], ip: usize) {
        let mut stack = vec![ip];
        while let Some(ip) = stack.pop() {
            if self.member[ip] {
                continue;
            }
            self.member[ip] = true;
            self.order.push(ip);
            match insts[ip] {
                Inst::Jump(to) => stack.push(to),
                // `a` first, as vellum's recursion goes.
                Inst::Split(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                Inst::Match | Inst::Range(..) => {}
            }
        }
    }

    /// The state this set stands for: its range and match instructions.
    fn key(&self, insts: &[Inst]) -> Vec<u32> {
        self.order
            .iter()
            .filter(|&&ip| matches!(insts[ip], Inst::Range(..) | Inst::Match))
            .map(|&ip| ip as u32)
            .collect()
    }
}

//! Money in yuan, held as an integer number of fen (分).
//!
//! Amounts are never floats. Parsing goes through `rust_decimal` so that
//! `1234.5`, `1,234.50` and `¥1,234.50` all read the same and anything with
//! more than two decimal places is refused instead of rounded.

use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An amount of money in fen. Signed: red (negative) amounts exist in reversals
/// and balances are signed debit-positive. Serialized as a decimal string with
/// two places (`"-1234.50"`), so JSON never carries a float.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_decimal_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        Money::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Why a text is not an amount.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额为空")]
    Empty,
    #[error("“{0}”不是可读的金额，应写作 1234.50、1,234.50、¥1,234.50 或 1234.50元")]
    Unreadable(String),
    #[error("“{0}”超过两位小数（金额只记到分）")]
    TooManyDecimals(String),
    #[error("“{0}”超出可记录的金额范围")]
    OutOfRange(String),
}

/// The largest amount a single line may carry: ¥99,999,999,999.99, a
/// thousand times any sum a community's books see (LIM-1).
pub const MAX_LINE_FEN: i64 = 9_999_999_999_999;

/// The most a ledger may hold: the sum of the absolute amounts of every
/// line of every voucher it records, ¥10,000,000,000,000,000.00 (LIM-1).
/// Every balance, period total and report total is a signed sum of some of
/// those lines, so none can exceed it; the year-end closing vouchers, built
/// from those totals, at most double it, and twice it is a fourth of what
/// an `i64` of fen holds: no sum of money in the engine can overflow.
pub const MAX_TOTAL_FEN: i64 = 1_000_000_000_000_000_000;

/// What a sum of money past [`MAX_TOTAL_FEN`]'s headroom means: a limit
/// was not enforced where amounts enter, a bug, never bad input.
const OVERFLOW: &str = "sums of money stay within MAX_TOTAL_FEN (LIM-1 is checked where amounts enter)";

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// Reads `1234.5`, `1,234.50`, `¥1,234.50`, `￥1,234.50`, `1234.50元`,
    /// `-12.00`: the one reader of amounts, in flags, files and settings.
    /// Thousands separators, the currency sign (half or full width) and a
    /// trailing 元 are optional, digits may be full width (１２８．５０);
    /// more than two decimals is an error.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        // A Chinese input method types digits full width: １２８．５０.
        let half: String = text.chars().map(crate::text::half_width).collect();
        let trimmed = half.trim();
        let unit = trimmed.strip_suffix('元').map(str::trim_end);
        if unit.is_some_and(str::is_empty) {
            return Err(MoneyError::Unreadable(trimmed.to_string()));
        }
        let trimmed = unit.unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, rest) = match trimmed.strip_prefix('-') {
            Some(r) => (true, r.trim_start()),
            None => (false, trimmed),
        };
        let rest = rest.strip_prefix('¥').or_else(|| rest.strip_prefix('￥')).unwrap_or(rest).trim_start();
        let digits: String = if rest.contains(',') {
            if !thousands_ok(rest) {
                return Err(MoneyError::Unreadable(trimmed.to_string()));
            }
            rest.chars().filter(|c| *c != ',').collect()
        } else {
            rest.to_string()
        };
        if digits.is_empty()
            || !digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            || digits.starts_with('.')
            || digits.ends_with('.')
        {
            return Err(MoneyError::Unreadable(trimmed.to_string()));
        }
        let value = Decimal::from_str(&digits).map_err(|_| MoneyError::Unreadable(trimmed.to_string()))?.normalize();
        if value.scale() > 2 {
            return Err(MoneyError::TooManyDecimals(trimmed.to_string()));
        }
        // Checked: 28 digits times a hundred is past what a Decimal holds.
        let fen = value
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|v| v.to_i64())
            .filter(|f| *f <= MAX_LINE_FEN)
            .ok_or_else(|| MoneyError::OutOfRange(trimmed.to_string()))?;
        Ok(Money(if negative { -fen } else { fen }))
    }

    /// `1,234.50` (negative as `-1,234.50`).
    pub fn to_plain(self) -> String {
        self.to_string()
    }

    /// `¥1,234.50`.
    pub fn to_yuan(self) -> String {
        if self.0 < 0 {
            format!("-¥{}", self.abs())
        } else {
            format!("¥{}", self)
        }
    }

    /// Two decimals without separators, for machine formats: `-1234.50`.
    pub fn to_decimal_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// The amount in words (大写), e.g. `壹仟零伍元伍角整`; `壹万亿元整` for
    /// ¥1,000,000,000,000.00. Sections of four digits take 万 and 亿 (亿 of
    /// 亿 beyond); a run of zeros inside reads as one 零.
    pub fn to_chinese_words(self) -> String {
        let abs = self.0.unsigned_abs();
        let yuan = abs / 100;
        let jiao = ((abs / 10) % 10) as usize;
        let fen = (abs % 10) as usize;
        let mut out = String::new();
        if self.0 < 0 {
            out.push('负');
        }
        if yuan > 0 {
            out.push_str(&integer_words(yuan));
            out.push('元');
        }
        match (yuan > 0, jiao, fen) {
            (false, 0, 0) => out.push_str("零元整"),
            (true, 0, 0) => out.push('整'),
            (_, j, 0) => {
                out.push_str(DIGITS[j]);
                out.push_str("角整");
            }
            (has_yuan, 0, f) => {
                if has_yuan {
                    out.push('零');
                }
                out.push_str(DIGITS[f]);
                out.push('分');
            }
            (_, j, f) => {
                out.push_str(DIGITS[j]);
                out.push('角');
                out.push_str(DIGITS[f]);
                out.push('分');
            }
        }
        out
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// The sum, or `None` past what an amount holds: for totals of input
    /// not yet checked against [`MAX_TOTAL_FEN`].
    pub fn checked_sum(amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
        amounts.into_iter().try_fold(Money::ZERO, Money::checked_add)
    }

    /// The sum of absolute amounts, saturating at `i64::MAX` fen: compared
    /// with [`MAX_TOTAL_FEN`] it says whether a set of lines fits.
    pub fn turnover(amounts: impl IntoIterator<Item = Money>) -> Money {
        Money(amounts.into_iter().fold(0i64, |sum, m| sum.saturating_add(m.0.saturating_abs())))
    }
}

const DIGITS: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];

/// A positive whole number in words: `壹拾万零壹`, `壹万零壹亿`.
fn integer_words(n: u64) -> String {
    const YI: u64 = 100_000_000;
    const WAN: u64 = 10_000;
    // The higher part, its unit, and the lower part with how small it may
    // be before a 零 marks the zeros between them.
    let (high, unit, low, full) = if n >= YI {
        (n / YI, "亿", n % YI, YI / 10)
    } else if n >= WAN {
        (n / WAN, "万", n % WAN, WAN / 10)
    } else {
        return section_words(n);
    };
    let mut out = integer_words(high);
    out.push_str(unit);
    if low > 0 {
        if low < full {
            out.push('零');
        }
        out.push_str(&integer_words(low));
    }
    out
}

/// 1..=9999 in words: `壹仟零伍`, `壹拾`.
fn section_words(n: u64) -> String {
    const UNITS: [&str; 4] = ["仟", "佰", "拾", ""];
    let digits = [n / 1000, (n / 100) % 10, (n / 10) % 10, n % 10];
    let mut out = String::new();
    let mut zero_pending = false;
    for (d, unit) in digits.iter().zip(UNITS) {
        if *d == 0 {
            zero_pending = !out.is_empty();
        } else {
            if zero_pending {
                out.push('零');
                zero_pending = false;
            }
            out.push_str(DIGITS[*d as usize]);
            out.push_str(unit);
        }
    }
    out
}

/// Commas must group the integer part in threes: `1,234,567.5`.
fn thousands_ok(text: &str) -> bool {
    let int_part = text.split('.').next().unwrap_or("");
    let groups: Vec<&str> = int_part.split(',').collect();
    let first_ok = !groups[0].is_empty() && groups[0].len() <= 3;
    first_ok && groups[1..].iter().all(|g| g.len() == 3) && !text.split('.').nth(1).unwrap_or("").contains(',')
}

impl fmt::Display for Money {
    /// `1,234.50`, with thousands separators.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
        for (i, c) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        let text = format!("{sign}{grouped}.{:02}", abs % 100);
        f.pad(&text)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Money, MoneyError> {
        Money::parse(s)
    }
}

// Arithmetic is checked in every build: amounts enter bounded (LIM-1), so
// an overflow is a broken invariant, stopped before a wrong total is shown
// or stored — never wrapped around into a plausible figure.
impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        self.checked_add(rhs).expect(OVERFLOW)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        self.checked_sub(rhs).expect(OVERFLOW)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        *self = *self - rhs;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.checked_neg().expect(OVERFLOW))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn vch_1_full_width_digits_read_as_typed_by_a_chinese_input_method() {
        assert_eq!(Money::parse("１２８．５０").unwrap(), Money::from_fen(12850));
        assert_eq!(Money::parse("￥１，２３４．５０元").unwrap(), Money::from_fen(123450));
        assert_eq!(Money::parse("－５").unwrap(), Money::from_fen(-500));
        assert!(Money::parse("１２８．５０５").is_err(), "still at most two decimals");
    }

    #[test]
    fn parses_plain_grouped_and_yuan_sign() {
        assert_eq!(m("1234.5"), Money::from_fen(123_450));
        assert_eq!(m("1,234.50"), Money::from_fen(123_450));
        assert_eq!(m("¥1,234.50"), Money::from_fen(123_450));
        assert_eq!(m("￥12"), Money::from_fen(1200));
        assert_eq!(m(" 0.05 "), Money::from_fen(5));
        assert_eq!(m("-3.10"), Money::from_fen(-310));
        assert_eq!(m("1.500"), Money::from_fen(150));
    }

    #[test]
    fn every_spelling_of_an_amount_is_one_amount() {
        for text in ["1234.50", "1,234.50", "¥1,234.50", "￥1,234.50", "1234.5元", "¥1,234.50 元", " 1234.50元 "]
        {
            assert_eq!(Money::parse(text), Ok(Money::from_fen(123_450)), "{text}");
        }
        assert_eq!(m("-¥12.00"), Money::from_fen(-1200));
        for bad in ["元", "12元元", "元12", "1,23.00", "12.3.4", "¥"] {
            assert!(matches!(Money::parse(bad), Err(MoneyError::Unreadable(_))), "{bad}");
        }
        let e = Money::parse("一百元").unwrap_err().to_string();
        assert!(e.contains("应写作 1234.50"), "{e}");
    }

    #[test]
    fn vch_1_refuses_more_than_two_decimals() {
        assert_eq!(Money::parse("12.345"), Err(MoneyError::TooManyDecimals("12.345".into())));
        assert_eq!(Money::parse("0.001"), Err(MoneyError::TooManyDecimals("0.001".into())));
    }

    #[test]
    fn refuses_unreadable_text() {
        for bad in ["", "abc", "1,23.00", "12,3456", "1.2.3", "¥", "1e5", ".5", "5.", "12 34"] {
            assert!(Money::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn formats_with_thousands_separators() {
        assert_eq!(Money::from_fen(123_450).to_string(), "1,234.50");
        assert_eq!(Money::from_fen(123_450).to_yuan(), "¥1,234.50");
        assert_eq!(Money::from_fen(-100_000_001).to_string(), "-1,000,000.01");
        assert_eq!(Money::from_fen(5).to_string(), "0.05");
        assert_eq!(Money::from_fen(-5).to_decimal_string(), "-0.05");
        assert_eq!(Money::from_fen(123_456_789).to_decimal_string(), "1234567.89");
    }

    #[test]
    fn chinese_words_match_every_domain_example() {
        let cases = [
            ("1000.00", "壹仟元整"),
            ("1005.50", "壹仟零伍元伍角整"),
            ("0.05", "伍分"),
            ("10.00", "壹拾元整"),
            ("1010.00", "壹仟零壹拾元整"),
            ("6007.14", "陆仟零柒元壹角肆分"),
            ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
            ("325.04", "叁佰贰拾伍元零肆分"),
            ("107000.53", "壹拾万柒仟元伍角叁分"),
            ("0.00", "零元整"),
        ];
        for (amount, words) in cases {
            assert_eq!(m(amount).to_chinese_words(), words, "{amount}");
        }
    }

    #[test]
    fn chinese_words_large_and_sparse_amounts() {
        assert_eq!(m("100001").to_chinese_words(), "壹拾万零壹元整");
        assert_eq!(m("100000000").to_chinese_words(), "壹亿元整");
        assert_eq!(m("100010000").to_chinese_words(), "壹亿零壹万元整");
        assert_eq!(m("0.50").to_chinese_words(), "伍角整");
        assert_eq!(m("0.55").to_chinese_words(), "伍角伍分");
        assert_eq!(m("-20").to_chinese_words(), "负贰拾元整");
    }

    #[test]
    fn serializes_as_a_two_decimal_string() {
        assert_eq!(serde_json::to_string(&Money::from_fen(-123_450)).unwrap(), "\"-1234.50\"");
        assert_eq!(serde_json::from_str::<Money>("\"12.3\"").unwrap(), Money::from_fen(1230));
        assert!(serde_json::from_str::<Money>("\"12.345\"").is_err());
    }

    #[test]
    fn lim_1_chinese_words_of_trillions_and_beyond() {
        let cases = [
            ("1000000000000", "壹万亿元整"),
            ("1000100000000", "壹万零壹亿元整"),
            ("1000000000001", "壹万亿零壹元整"),
            ("99999999999.99", "玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
            ("1000000000", "壹拾亿元整"),
            ("100000001", "壹亿零壹元整"),
            ("110000000", "壹亿壹仟万元整"),
            ("101000000", "壹亿零壹佰万元整"),
            ("10000000000000000", "壹亿亿元整"),
        ];
        for (amount, words) in cases {
            let fen = (rust_decimal::Decimal::from_str(amount).unwrap() * Decimal::ONE_HUNDRED).to_i64().unwrap();
            assert_eq!(Money::from_fen(fen).to_chinese_words(), words, "{amount}");
        }
    }

    #[test]
    fn lim_1_one_amount_is_at_most_a_hundred_billion_yuan() {
        assert_eq!(m("99,999,999,999.99"), Money::from_fen(MAX_LINE_FEN));
        assert_eq!(Money::parse("100,000,000,000.00"), Err(MoneyError::OutOfRange("100,000,000,000.00".into())));
        assert_eq!(Money::parse("1000000000000"), Err(MoneyError::OutOfRange("1000000000000".into())));
        assert_eq!(Money::parse("-100000000000"), Err(MoneyError::OutOfRange("-100000000000".into())));
        assert!(Money::parse("99999999999999999999999999").is_err());
        // Found by the fuzz corpus: once a panic inside the decimal library.
        assert!(Money::parse("1010000000000010100000000000").is_err());
        assert!(Money::parse("79228162514264337593543950335").is_err());
    }

    #[test]
    fn lim_1_sums_never_wrap_around() {
        let big = Money::from_fen(i64::MAX - 1);
        assert_eq!(big.checked_add(Money::from_fen(2)), None);
        assert_eq!(Money::checked_sum([big, Money::from_fen(1), Money::from_fen(1)]), None);
        assert_eq!(Money::checked_sum([Money::from_fen(1), Money::from_fen(2)]), Some(Money::from_fen(3)));
        assert_eq!(Money::turnover([big, -big]), Money::from_fen(i64::MAX));
        assert!(std::panic::catch_unwind(|| big + Money::from_fen(2)).is_err(), "an overflow stops, never wraps");
        // The most a ledger holds, twice over, still fits.
        assert!(Money::from_fen(MAX_TOTAL_FEN).checked_add(Money::from_fen(MAX_TOTAL_FEN)).is_some());
    }

    /// Reads 大写 back into fen: the inverse the words must have.
    fn words_to_fen(words: &str) -> i64 {
        fn int(w: &str) -> i64 {
            if let Some(i) = w.rfind("亿") {
                return int(&w[..i]) * 100_000_000 + int(&w[i + "亿".len()..]);
            }
            if let Some(i) = w.rfind("万") {
                return int(&w[..i]) * 10_000 + int(&w[i + "万".len()..]);
            }
            let mut total = 0;
            let mut digit = 0;
            for c in w.chars() {
                match c {
                    '零' => {}
                    '拾' => total += digit * 10,
                    '佰' => total += digit * 100,
                    '仟' => total += digit * 1000,
                    _ => {
                        total += digit;
                        digit = DIGITS.iter().position(|d| d.starts_with(c)).expect("a digit") as i64;
                        continue;
                    }
                }
                digit = 0;
            }
            total + digit
        }
        let (sign, w) = match words.strip_prefix('负') {
            Some(rest) => (-1, rest),
            None => (1, words),
        };
        let (yuan, rest) = match w.split_once('元') {
            Some((y, r)) => (if y == "零" { 0 } else { int(y) }, r),
            None => (0, w),
        };
        let mut fen = 0;
        let mut digit = 0;
        for c in rest.chars() {
            match c {
                '角' => fen += digit * 10,
                '分' => fen += digit,
                '零' | '整' => {}
                _ => {
                    digit = DIGITS.iter().position(|d| d.starts_with(c)).expect("a digit") as i64;
                    continue;
                }
            }
            digit = 0;
        }
        sign * (yuan * 100 + fen)
    }

    fn check_words(fen: i64) -> Result<(), TestCaseError> {
        let words = Money::from_fen(fen).to_chinese_words();
        prop_assert_eq!(words_to_fen(&words), fen, "{}", words);
        prop_assert!(!words.contains("零零"), "{}", words);
        for unit in ["元", "万", "亿", "角", "分"] {
            prop_assert!(!words.contains(&format!("零{unit}")) || words == "零元整", "{}", words);
        }
        prop_assert!(!words.starts_with('零') || words == "零元整", "{}", words);
        prop_assert!(words.ends_with('整') != words.ends_with('分'), "{}", words);
        Ok(())
    }

    #[test]
    fn chinese_words_read_back_at_the_edges() {
        for fen in [0, 1, 10, 100, 1_000_000, MAX_LINE_FEN, -MAX_LINE_FEN, MAX_TOTAL_FEN, -MAX_TOTAL_FEN, i64::MAX] {
            check_words(fen).unwrap();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// 大写 over every amount a line may carry, and every total.
        #[test]
        fn chinese_words_read_back_as_the_amount(fen in -MAX_LINE_FEN..=MAX_LINE_FEN) {
            check_words(fen)?;
        }

        #[test]
        fn chinese_words_read_back_for_totals(fen in -MAX_TOTAL_FEN..=MAX_TOTAL_FEN) {
            check_words(fen)?;
        }

        /// Sparse amounts: few non-zero digits, where the 零 rules bite.
        #[test]
        fn chinese_words_read_back_for_sparse_amounts(digits in proptest::collection::vec((0u32..17, 1i64..10), 1..4)) {
            let fen: i64 = digits.iter().map(|(pos, d)| d * 10i64.pow(*pos)).sum();
            check_words(fen)?;
        }
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(fen in -MAX_LINE_FEN..MAX_LINE_FEN) {
            let amount = Money::from_fen(fen);
            prop_assert_eq!(Money::parse(&amount.to_string()).unwrap(), amount);
            prop_assert_eq!(Money::parse(&amount.to_decimal_string()).unwrap(), amount);
        }

        #[test]
        fn chinese_words_never_have_double_zero(fen in 0i64..10_000_000_000_000) {
            let words = Money::from_fen(fen).to_chinese_words();
            prop_assert!(!words.contains("零零"), "{}", words);
            prop_assert!(!words.ends_with("分整"));
        }
    }
}

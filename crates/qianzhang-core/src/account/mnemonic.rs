//! 助记码: an account's pinyin initials, as 用友 and 金蝶 print them beside
//! the name, so that an officer finds 办公费 by typing `bgf`.
//!
//! The initials come from the `pinyin` crate's most common reading of each
//! character. Where an accounting name reads a character otherwise (银行 is
//! yín**háng**, 长期 **cháng**qī, 会计 **kuài**jì), the word is listed in
//! [`READINGS`] and read from there.

use pinyin::ToPinyin;

use super::Account;

/// Words whose characters the crate reads otherwise than accounting names
/// do, with their initials. Matched at each position before single
/// characters; a character read the same in every word it appears in
/// (长 in 长者 is zhǎng, the crate's reading) is not listed.
const READINGS: &[(&str, &str)] = &[
    // 行 háng, not xíng.
    ("银行", "yh"),
    ("支行", "zh"),
    ("分行", "fh"),
    ("行业", "hy"),
    ("商行", "sh"),
    // 会 kuài, not huì.
    ("会计", "kj"),
    ("财会", "ck"),
    // 长 cháng, not zhǎng.
    ("长期", "cq"),
    ("长途", "ct"),
    ("延长", "yc"),
    // 重 chóng, not zhòng.
    ("重置", "cz"),
    ("重新", "cx"),
    ("重复", "cf"),
    ("重建", "cj"),
    // 调 tiáo, not diào.
    ("调整", "tz"),
    ("调节", "tj"),
    ("调剂", "tj"),
    ("调解", "tj"),
    ("空调", "kt"),
    // 乐 yuè, not lè.
    ("音乐", "yy"),
    ("乐器", "yq"),
    ("乐队", "yd"),
    // 给 jǐ, not gěi.
    ("给水", "js"),
    ("给排", "jp"),
    ("供给", "gj"),
    ("补给", "bj"),
    // 校 jiào, not xiào.
    ("校对", "jd"),
    ("校准", "jz"),
    // 朝 zhāo, not cháo.
    ("朝阳", "zy"),
];

/// A full-width letter or digit (ＡＢＣ１２３) as its ASCII twin, lowercased;
/// other characters as they are.
fn fold(c: char) -> char {
    crate::text::half_width(c).to_ascii_lowercase()
}

/// [ACC-1] the 助记码 of an account name: the lowercase pinyin initial of
/// each Chinese character (办公费 → `bgf`, 银行存款 → `yhck`), ASCII letters
/// and digits kept, lowercased (full-width ones too: Ａ4纸 → `a4z`), every
/// other character dropped.
pub fn mnemonic(name: &str) -> String {
    let mut out = String::new();
    let mut rest = name;
    'next: while let Some(c) = rest.chars().next() {
        for (word, initials) in READINGS {
            if let Some(after) = rest.strip_prefix(word) {
                out.push_str(initials);
                rest = after;
                continue 'next;
            }
        }
        rest = &rest[c.len_utf8()..];
        let c = fold(c);
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if let Some(p) = c.to_pinyin() {
            out.push_str(p.first_letter());
        }
    }
    out
}

/// Whether `account` is one the account picker offers for `query`: its
/// code starts with it, its name contains it, or its 助记码 contains it
/// (`bgf`, `gf`), letters in either case. An empty query matches every
/// account.
pub fn matches(account: &Account, query: &str) -> bool {
    let query = query.trim();
    if query.is_empty() {
        return true;
    }
    let folded: String = query.chars().map(fold).collect();
    account.code().starts_with(&folded)
        || account.name().to_lowercase().contains(&query.to_lowercase())
        || mnemonic(account.name()).contains(&folded)
}

impl Account {
    /// The account's 助记码 ([`mnemonic`] of its name).
    pub fn mnemonic(&self) -> String {
        mnemonic(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountKind, Chart};

    /// Every account of the default chart and of the fixture chart, with
    /// the 助记码 an accountant would type.
    #[test]
    fn acc_1_every_default_and_fixture_account_has_its_initials() {
        let expected = [
            ("1001", "库存现金", "kcxj"),
            ("1002", "银行存款", "yhck"),
            ("1122", "其他应收款", "qtysk"),
            ("1141", "预付账款", "yfzk"),
            ("1201", "存货", "ch"),
            ("1501", "固定资产", "gdzc"),
            ("1502", "累计折旧", "ljzj"),
            ("1701", "受托代理资产", "stdlzc"),
            ("1901", "待处理财产损溢", "dclccsy"),
            ("2202", "应付账款", "yfzk"),
            ("2204", "应付工资", "yfgz"),
            ("2209", "其他应付款", "qtyfk"),
            ("2601", "受托代理负债", "stdlfz"),
            ("3101", "非限定性净资产", "fxdxjzc"),
            ("3102", "限定性净资产", "xdxjzc"),
            ("4101", "捐赠收入", "jzsr"),
            ("4401", "政府补助收入", "zfbzsr"),
            ("4901", "其他收入", "qtsr"),
            ("5101", "业务活动成本", "ywhdcb"),
            ("5201", "管理费用", "glfy"),
            ("5401", "其他费用", "qtfy"),
        ];
        let chart = Chart::default_chart();
        assert_eq!(chart.len(), expected.len(), "every default account is listed here");
        for (a, (code, name, initials)) in chart.iter().zip(expected) {
            assert_eq!((a.code(), a.name(), a.mnemonic().as_str()), (code, name, initials));
        }
        let fixture = include_str!("../../../../fixtures/accounts.csv");
        let expected = [
            ("112201", "zw"),
            ("410101", "jmcz"),
            ("410102", "shjz"),
            ("440101", "jdbgjf"),
            ("440102", "sqhdjf"),
            ("510101", "wthd"),
            ("510102", "ggsswx"),
            ("520101", "bgf"),
            ("520102", "sdf"),
            ("520103", "txf"),
        ];
        let rows: Vec<(&str, &str)> = fixture.lines().skip(1).filter_map(|l| l.split_once(',')).collect();
        assert_eq!(rows.len(), expected.len(), "every fixture account is listed here");
        for ((code, name), (want_code, initials)) in rows.into_iter().zip(expected) {
            assert_eq!((code, mnemonic(name).as_str()), (want_code, initials), "{name}");
        }
    }

    /// Names beyond the charts: the words whose reading the crate gets
    /// wrong, the ones it gets right, and what is not Chinese.
    #[test]
    fn acc_1_polyphonic_characters_read_as_in_accounting() {
        for (name, initials) in [
            ("应收款", "ysk"),
            ("应付款", "yfk"),
            ("长期投资", "cqtz"),
            ("长期借款", "cqjk"),
            ("长者食堂", "zzst"),
            ("累计折旧", "ljzj"),
            ("会计服务费", "kjfwf"),
            ("会议费", "hyf"),
            ("银行手续费", "yhsxf"),
            ("行政办公", "xzbg"),
            ("空调维修", "ktwx"),
            ("重置成本", "czcb"),
            ("重点项目", "zdxm"),
            ("调整", "tz"),
            ("调查费", "dcf"),
            ("音乐活动", "yyhd"),
            ("给排水维修", "jpswx"),
            ("差旅费", "clf"),
            ("绿化费", "lhf"),
            ("A4纸", "a4z"),
            ("Ａ４纸", "a4z"),
            ("5G通讯费（备用）", "5gtxfby"),
            ("", ""),
            ("——", ""),
        ] {
            assert_eq!(mnemonic(name), initials, "{name}");
        }
    }

    /// A chart file as `account list --format csv` writes it, 助记码 and
    /// all, is read by `account import`: the column is not the file's.
    #[test]
    fn acc_1_a_chart_file_with_its_initials_column_is_read() {
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let records = [row(&["科目编码", "科目名称", "助记码", "类别"]), row(&["520104", "　差旅费", "clf", "费用"])];
        let rows = crate::account::chart_rows(&records).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].1.code.as_str(), rows[0].1.name.as_str()), ("520104", "差旅费"));
    }

    #[test]
    fn acc_1_the_picker_matches_code_name_and_initials() {
        let office = Account::stored("520101".into(), "办公费".into(), AccountKind::Expense, None, None);
        for query in ["", "  ", "5201", "520101", "办公", "公费", "bgf", "BGF", "gf", "ｂｇｆ", " bg "] {
            assert!(matches(&office, query), "{query:?}");
        }
        for query in ["0101", "5202", "办公用品", "bgfy", "x", "费办"] {
            assert!(!matches(&office, query), "{query:?}");
        }
        let bank = Account::stored("1002".into(), "银行存款".into(), AccountKind::Asset, None, None);
        assert!(matches(&bank, "yhck") && matches(&bank, "ck") && !matches(&bank, "yxck"));
    }
}

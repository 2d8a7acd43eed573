//! What may be printed on the notice board (PUB-2): a private individual's
//! given name is masked (张*), and no ID or mobile number ever appears.

use crate::people::Registry;

/// Words anywhere in a name that mark an organization, not a person.
const ORGANIZATION: &[&str] = &[
    "公司",
    "中心",
    "银行",
    "街道",
    "社区",
    "政府",
    "医院",
    "学校",
    "超市",
    "物业",
    "居民",
    "住户",
    "委员会",
    "办事处",
];

/// Last characters that mark an organization: 文具店, 财政局, 低保户.
const ORGANIZATION_ENDS: &[char] =
    &['店', '行', '局', '办', '处', '委', '会', '社', '所', '站', '院', '校', '厂', '队', '部', '户', '组'];

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A name of two to four Chinese characters that names no organization.
pub fn looks_like_person(name: &str) -> bool {
    let n = name.chars().count();
    (2..=4).contains(&n)
        && name.chars().all(is_cjk)
        && !ORGANIZATION.iter().any(|w| name.contains(w))
        && !name.ends_with(ORGANIZATION_ENDS)
}

/// [PUB-2] `张伟` → `张*`, `欧阳小明` → `欧***`; officers (anyone ever
/// appointed) are named in full; organizations are left alone.
pub fn mask_person(name: &str, registry: &Registry) -> String {
    let name = scrub(name.trim());
    if registry.appointments().iter().any(|a| a.person == name) || !looks_like_person(&name) {
        return name;
    }
    let mut chars = name.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    first + &"*".repeat(chars.count())
}

/// [PUB-2] blanks ID card numbers (15 digits, or 17 and a digit or X) and
/// mobile numbers (11 digits from 1) wherever they appear in a text.
pub fn scrub(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let mut len = i - start;
        if len == 17 && i < chars.len() && matches!(chars[i], 'X' | 'x') {
            i += 1;
            len += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let mobile = len == 11 && run.starts_with('1');
        if mobile || len == 15 || len == 18 {
            out.push_str(&"*".repeat(len));
        } else {
            out.push_str(&run);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::people::{Appointment, Role};

    #[test]
    fn pub_2_private_names_are_masked_officers_and_organizations_are_not() {
        let mut r = Registry::default();
        r.register("王芳");
        r.register("李强");
        r.appoint(Appointment {
            person: "王芳".into(),
            role: Role::Cashier,
            from: date!(2025 - 01 - 01),
            ended: None,
            leader: false,
            title: None,
            acting: false,
        });
        assert_eq!(mask_person("张伟", &r), "张*");
        assert_eq!(mask_person("欧阳小明", &r), "欧***");
        assert_eq!(mask_person("李强", &r), "李*", "registered for kinship, never appointed: private");
        assert_eq!(mask_person("王芳", &r), "王芳", "the cashier is named");
        for org in ["幸福文具店", "建设银行", "幸福街道办事处", "居民（3号楼、5号楼）", "低保户（12户）", "Acme"]
        {
            assert_eq!(mask_person(org, &r), org);
        }
    }

    #[test]
    fn pub_2_id_and_mobile_numbers_never_appear() {
        assert_eq!(scrub("张伟 13812345678 退款"), "张伟 *********** 退款");
        assert_eq!(scrub("身份证110101199003077777"), "身份证******************");
        assert_eq!(scrub("身份证11010119900307777X号"), "身份证******************号");
        assert_eq!(scrub("发票 04419903，电话 0571-88886666"), "发票 04419903，电话 0571-88886666");
        assert_eq!(scrub("记-0001"), "记-0001");
    }
}

//! [DOC-1] scans of original documents (原始凭证扫描件): a PDF, JPEG or PNG
//! of the paper a voucher rests on, attached while the voucher is prepared.
//!
//! The type is told by the bytes, never by the name or by what the uploader
//! declares: a declared type that differs from the content is refused as a
//! mislabelled upload. A scan is at most [`MAX_SCAN_BYTES`] (LIM-1). The log
//! records the SHA-256 of the bytes, the type, the size and the file name;
//! the bytes themselves are stored by the backend once per SHA-256, in the
//! same transaction as the event, so the same file attached twice is kept
//! once and `verify` re-hashes every stored scan (AUD-2).
//!
//! Like attaching a document (`entry::attach_document`), attaching a scan
//! changes what the reviewers signed for: the voucher's signatures lapse.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::books::{Books, Event};
use crate::rule::{refuse, Failure, Rule};
use crate::text::{check_text, FILE_NAME_CHARS};
use crate::voucher::{Status, VoucherRef};

/// [LIM-1] the largest scan accepted: 10 MiB, a page scanned at 300 dpi in
/// colour with room to spare.
pub const MAX_SCAN_BYTES: usize = 10 * 1024 * 1024;

/// [LIM-1] the most scans one voucher carries.
pub const MAX_SCANS_PER_VOUCHER: usize = 20;

/// The kinds of file a scan may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MediaType {
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
}

impl MediaType {
    /// The MIME type: `application/pdf`, `image/jpeg`, `image/png`.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    /// The name users know: `PDF`, `JPEG`, `PNG`.
    pub fn label(self) -> &'static str {
        match self {
            MediaType::Pdf => "PDF",
            MediaType::Jpeg => "JPEG",
            MediaType::Png => "PNG",
        }
    }

    /// A MIME type, a short name or an extension, as a browser or a user
    /// declares it: `image/jpeg`, `jpg`, `.PNG`, `pdf`.
    pub fn parse(text: &str) -> Option<MediaType> {
        let t = text.trim().trim_start_matches('.').to_ascii_lowercase();
        match t.as_str() {
            "application/pdf" | "pdf" => Some(MediaType::Pdf),
            "image/jpeg" | "image/jpg" | "image/pjpeg" | "jpeg" | "jpg" => Some(MediaType::Jpeg),
            "image/png" | "png" => Some(MediaType::Png),
            _ => None,
        }
    }

    /// The type the bytes are, by their first bytes (magic numbers).
    pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
        if bytes.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(MediaType::Png)
        } else {
            None
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
        }
    }
}

impl std::fmt::Display for MediaType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.mime())
    }
}

/// A scan attached to a voucher, as the log records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanInfo {
    #[serde(rename = "ref")]
    pub voucher: VoucherRef,
    /// SHA-256 of the bytes, lowercase hex: the scan's address.
    pub sha256: String,
    pub media: MediaType,
    pub size: u64,
    /// The name of the file as uploaded, checked as text (LIM-1).
    pub file_name: String,
}

impl ScanInfo {
    /// The first 12 hex digits of the SHA-256, as listed.
    pub fn sha_short(&self) -> &str {
        &self.sha256[..self.sha256.len().min(12)]
    }
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `text` is a SHA-256 as this module writes it: 64 lowercase hex digits.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// [DOC-1, LIM-1] what a scan is, told by its content: refused when it is
/// empty, larger than [`MAX_SCAN_BYTES`], not a PDF, JPEG or PNG, or not
/// the type `declared` (a mislabelled upload).
pub fn check_scan(bytes: &[u8], declared: Option<&str>) -> Result<MediaType, Failure> {
    if bytes.is_empty() {
        return refuse(Rule::Doc1, "扫描件是空文件；请重新扫描或选择正确的文件");
    }
    if bytes.len() > MAX_SCAN_BYTES {
        return refuse(
            Rule::Lim1,
            format!(
                "扫描件 {} 字节，超过上限 {} MiB；请降低扫描分辨率（300 dpi 已足够）或分页扫描后分别上传",
                bytes.len(),
                MAX_SCAN_BYTES / (1024 * 1024)
            ),
        );
    }
    let Some(actual) = MediaType::sniff(bytes) else {
        return refuse(
            Rule::Doc1,
            "扫描件只收 PDF、JPEG 或 PNG 文件，这个文件的内容不是其中任何一种；请另存为 PDF、JPEG 或 PNG 后再上传",
        );
    };
    if let Some(declared) = declared.map(str::trim).filter(|d| !d.is_empty()) {
        match MediaType::parse(declared) {
            Some(d) if d == actual => {}
            Some(d) => {
                return refuse(
                    Rule::Doc1,
                    format!(
                        "文件声称是 {}，内容却是 {}：类型不符，不予接收；请确认上传的是原始凭证的扫描件，并以正确的类型上传",
                        d.label(),
                        actual.label()
                    ),
                )
            }
            None => {
                return refuse(Rule::Doc1, format!("文件类型“{declared}”不收：扫描件只收 PDF、JPEG 或 PNG"));
            }
        }
    }
    Ok(actual)
}

/// [DOC-1] attaches the scan `bytes`, uploaded as `file_name`, to a prepared
/// voucher. The bytes are handed to the backend under their SHA-256 (kept
/// once however often attached) and the event records the hash; the
/// voucher's signatures lapse, as when a document is attached (VCH-4).
pub fn attach_scan(
    books: &mut impl Books,
    reference: VoucherRef,
    file_name: &str,
    declared: Option<&str>,
    bytes: &[u8],
) -> Result<ScanInfo, Failure> {
    let media = check_scan(bytes, declared)?;
    let file_name = file_name.trim();
    if file_name.is_empty() {
        return refuse(Rule::Lim1, "扫描件须有文件名");
    }
    check_text("文件名", file_name, FILE_NAME_CHARS)?;
    match books.voucher(reference)? {
        None => return refuse(Rule::Vch4, format!("凭证 {reference} 不存在")),
        Some((_, Status::Posted)) => {
            return refuse(Rule::Vch5, format!("凭证 {reference} 已经记账，不能再附扫描件；如有错误请红字冲销"))
        }
        Some((_, Status::Voided)) => return refuse(Rule::Vch4, format!("凭证 {reference} 已作废，不能再附扫描件")),
        Some((_, Status::Prepared)) => {}
    }
    let sha256 = sha256_hex(bytes);
    let attached = books.scans_of(reference)?;
    if let Some(same) = attached.iter().find(|s| s.sha256 == sha256) {
        return refuse(
            Rule::Doc2,
            format!(
                "这份扫描件已附在 {reference} 上（文件“{}”，SHA-256 {}）；同一文件不必重复上传",
                same.file_name,
                same.sha_short()
            ),
        );
    }
    if attached.len() >= MAX_SCANS_PER_VOUCHER {
        return refuse(Rule::Lim1, format!("一张凭证最多附 {MAX_SCANS_PER_VOUCHER} 份扫描件"));
    }
    let scan =
        ScanInfo { voucher: reference, sha256, media, size: bytes.len() as u64, file_name: file_name.to_string() };
    books.put_scan(&scan.sha256, media, bytes)?;
    books.append(Event::ScanAttached { scan: scan.clone() })?;
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::enter_voucher;
    use crate::memory::MemoryBooks;
    use crate::test_support::{draft, post, rule_of, TODAY};
    use crate::voucher::Origin;
    use time::macros::date;

    const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];

    fn prepared(b: &mut MemoryBooks) -> VoucherRef {
        enter_voucher(b, draft(date!(2025 - 03 - 05), 12_000), Origin::Entered, "赵敏", TODAY).unwrap()
    }

    #[test]
    fn doc_1_scan_type_is_told_by_content() {
        assert_eq!(check_scan(PDF, None).unwrap(), MediaType::Pdf);
        assert_eq!(check_scan(PNG, Some("image/png")).unwrap(), MediaType::Png);
        assert_eq!(check_scan(JPEG, Some("jpg")).unwrap(), MediaType::Jpeg);
        assert_eq!(check_scan(JPEG, Some("image/jpeg")).unwrap(), MediaType::Jpeg);
        for bad in [&b"GIF89a......"[..], b"<html><script>", b"PK\x03\x04", b"%PD", &[0xFF, 0xD8]] {
            assert_eq!(rule_of(check_scan(bad, None)), Rule::Doc1, "{bad:?}");
        }
        assert_eq!(rule_of(check_scan(b"", None)), Rule::Doc1);
    }

    #[test]
    fn doc_1_a_mislabelled_scan_is_refused() {
        let r = check_scan(PNG, Some("application/pdf"));
        match r {
            Err(Failure::Refused(r)) => {
                assert_eq!(r.first_rule(), Rule::Doc1);
                assert!(r.reasons[0].message.contains("声称是 PDF，内容却是 PNG"), "{}", r.reasons[0].message);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(rule_of(check_scan(PDF, Some("image/gif"))), Rule::Doc1);
        let mut b = MemoryBooks::fixture();
        let r = prepared(&mut b);
        assert_eq!(rule_of(attach_scan(&mut b, r, "发票.pdf", Some("image/jpeg"), PDF)), Rule::Doc1);
        assert!(b.scans.is_empty() && b.scans_of(r).unwrap().is_empty());
    }

    #[test]
    fn lim_1_an_oversize_scan_is_refused() {
        let mut big = PDF.to_vec();
        big.resize(MAX_SCAN_BYTES, b' ');
        assert_eq!(check_scan(&big, None).unwrap(), MediaType::Pdf, "exactly the limit");
        big.push(b' ');
        assert_eq!(rule_of(check_scan(&big, None)), Rule::Lim1);
        let mut b = MemoryBooks::fixture();
        let r = prepared(&mut b);
        assert_eq!(rule_of(attach_scan(&mut b, r, "大.pdf", None, &big)), Rule::Lim1);
        assert_eq!(rule_of(attach_scan(&mut b, r, "坏\n名.pdf", None, PDF)), Rule::Lim1);
    }

    #[test]
    fn doc_1_a_scan_is_attached_only_to_a_prepared_voucher_and_its_signatures_lapse() {
        let mut b = MemoryBooks::fixture();
        let r = prepared(&mut b);
        b.signed.insert(
            r,
            vec![crate::lifecycle::Signature {
                kind: crate::lifecycle::SignKind::Review,
                person: "李娜".into(),
                appointment_from: date!(2025 - 01 - 01),
                at: "t".into(),
                resolution: None,
            }],
        );
        let scan = attach_scan(&mut b, r, "  发票.pdf ", Some("application/pdf"), PDF).unwrap();
        assert_eq!((scan.file_name.as_str(), scan.media, scan.size), ("发票.pdf", MediaType::Pdf, PDF.len() as u64));
        assert_eq!(scan.sha256, sha256_hex(PDF));
        assert!(b.signed.get(&r).is_none_or(Vec::is_empty), "the review lapsed");
        assert_eq!(b.scans_of(r).unwrap(), vec![scan]);
        post(&mut b, r).unwrap();
        assert_eq!(rule_of(attach_scan(&mut b, r, "收据.png", None, PNG)), Rule::Vch5);
        let missing = VoucherRef { number: 99, ..r };
        assert_eq!(rule_of(attach_scan(&mut b, missing, "收据.png", None, PNG)), Rule::Vch4);
    }

    #[test]
    fn doc_2_the_same_bytes_are_stored_once() {
        let mut b = MemoryBooks::fixture();
        let (r1, r2) = (prepared(&mut b), prepared(&mut b));
        attach_scan(&mut b, r1, "合同.pdf", None, PDF).unwrap();
        attach_scan(&mut b, r2, "合同副本.pdf", None, PDF).unwrap();
        assert_eq!(b.scans.len(), 1, "one blob for the same bytes");
        assert_eq!(b.scans[&sha256_hex(PDF)], (MediaType::Pdf, PDF.to_vec()));
        assert_eq!(rule_of(attach_scan(&mut b, r1, "合同again.pdf", None, PDF)), Rule::Doc2);
        attach_scan(&mut b, r1, "照片.jpg", Some("image/jpeg"), JPEG).unwrap();
        assert_eq!(b.scans.len(), 2);
        assert_eq!(b.scans_of(r1).unwrap().len(), 2);
    }
}

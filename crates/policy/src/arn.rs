//! Amazon Resource Names and account identifiers.

use std::fmt;

/// A 12-digit AWS account identifier.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId([u8; 12]);

impl AccountId {
    /// Parses a 12-digit account id; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut digits = [0u8; 12];
        digits.copy_from_slice(bytes);
        Some(Self(digits))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII digits.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The ARN of the account's root user, `arn:aws:iam::<id>:root`.
    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.as_str())
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.as_str())
    }
}

impl std::str::FromStr for AccountId {
    type Err = InvalidArn;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| InvalidArn(s.to_owned()))
    }
}

impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AccountId::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid account id {text:?}: expected 12 digits"))
        })
    }
}

/// Text that is not a well-formed ARN (or account id).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ARN: {0}")]
pub struct InvalidArn(pub String);

/// A parsed ARN: `arn:partition:service:region:account:resource`.
///
/// The resource part is everything after the fifth colon and may itself contain `:` and `/`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    text: Box<str>,
    /// Byte offsets of the five separating colons.
    colons: [u32; 5],
}

impl Arn {
    /// Parses an ARN, splitting on the first five colons only.
    pub fn parse(text: &str) -> Result<Self, InvalidArn> {
        let err = || InvalidArn(text.to_owned());
        if !text.starts_with("arn:") {
            return Err(err());
        }
        let mut colons = [0u32; 5];
        let mut found = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b':' {
                colons[found] = u32::try_from(i).map_err(|_| err())?;
                found += 1;
                if found == 5 {
                    break;
                }
            }
        }
        if found < 5 {
            return Err(err());
        }
        let arn = Self {
            text: text.into(),
            colons,
        };
        if arn.partition().is_empty() || arn.service().is_empty() {
            return Err(err());
        }
        Ok(arn)
    }

    fn part(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.colons[i - 1] as usize + 1
        };
        let end = if i == 5 {
            self.text.len()
        } else {
            self.colons[i] as usize
        };
        &self.text[start..end]
    }

    /// The partition, e.g. `aws`.
    pub fn partition(&self) -> &str {
        self.part(1)
    }
    /// The service namespace, e.g. `s3` or `iam`.
    pub fn service(&self) -> &str {
        self.part(2)
    }
    /// The region; empty for global services.
    pub fn region(&self) -> &str {
        self.part(3)
    }
    /// The account field as text; empty for S3 buckets and objects.
    pub fn account(&self) -> &str {
        self.part(4)
    }
    /// The account field as an [`AccountId`], when it is one.
    pub fn account_id(&self) -> Option<AccountId> {
        AccountId::parse(self.account())
    }
    /// Everything after the fifth colon.
    pub fn resource(&self) -> &str {
        self.part(5)
    }
    /// The whole ARN as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Arn({})", self.text)
    }
}

impl std::str::FromStr for Arn {
    type Err = InvalidArn;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_splits_on_first_five_colons() {
        let arn = Arn::parse("arn:aws:logs:us-east-1:123456789012:log-group:my:group").unwrap();
        assert_eq!(arn.partition(), "aws");
        assert_eq!(arn.service(), "logs");
        assert_eq!(arn.region(), "us-east-1");
        assert_eq!(arn.account(), "123456789012");
        assert_eq!(arn.resource(), "log-group:my:group");
        let s3 = Arn::parse("arn:aws:s3:::bucket/key:with/colon").unwrap();
        assert_eq!(s3.account(), "");
        assert_eq!(s3.resource(), "bucket/key:with/colon");
    }

    #[test]
    fn arn_rejects_short_or_foreign_text() {
        assert!(Arn::parse("arn:aws:s3").is_err());
        assert!(Arn::parse("urn:aws:s3:::b").is_err());
        assert!(Arn::parse("arn::s3:::b").is_err());
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(AccountId::parse("123456789012").is_some());
        assert!(AccountId::parse("12345678901").is_none());
        assert!(AccountId::parse("12345678901a").is_none());
        assert_eq!(
            AccountId::parse("111122223333").unwrap().root_arn(),
            "arn:aws:iam::111122223333:root"
        );
    }
}

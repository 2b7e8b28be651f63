//! Marker/MaxItems pagination, as IAM pages its list calls.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{Error, Result};

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The marker for the next page when the listing is truncated.
    pub next_marker: Option<String>,
}

impl<T> Page<T> {
    /// True when more items follow.
    pub fn is_truncated(&self) -> bool {
        self.next_marker.is_some()
    }
}

/// Pages `items` in the order of their keys (sorted here: the marker is the last key returned,
/// so a listing in any other order would skip items on the next page) after `marker`, at
/// most `max_items`.
pub fn paginate<T>(
    items: impl IntoIterator<Item = (String, T)>,
    marker: Option<&str>,
    max_items: usize,
) -> Result<Page<T>> {
    let mut items: Vec<(String, T)> = items.into_iter().collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let after = match marker {
        None => None,
        Some(m) => Some(
            URL_SAFE_NO_PAD
                .decode(m)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| Error::InvalidInput("Invalid Marker.".into()))?,
        ),
    };
    let mut out = Vec::new();
    let mut last_key = None;
    let mut truncated = false;
    for (key, item) in items {
        if after.as_ref().is_some_and(|a| key <= *a) {
            continue;
        }
        if out.len() == max_items {
            truncated = true;
            break;
        }
        last_key = Some(key);
        out.push(item);
    }
    let next_marker = if truncated {
        last_key.map(|k| URL_SAFE_NO_PAD.encode(k))
    } else {
        None
    };
    Ok(Page {
        items: out,
        next_marker,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_through_everything_once() {
        let items: Vec<(String, u32)> = (0..7).map(|i| (format!("k{i}"), i)).collect();
        let p1 = paginate(items.clone(), None, 3).unwrap();
        assert_eq!(p1.items, vec![0, 1, 2]);
        let p2 = paginate(items.clone(), p1.next_marker.as_deref(), 3).unwrap();
        assert_eq!(p2.items, vec![3, 4, 5]);
        let p3 = paginate(items.clone(), p2.next_marker.as_deref(), 3).unwrap();
        assert_eq!(p3.items, vec![6]);
        assert!(!p3.is_truncated());
        assert!(paginate(items, Some("!!!"), 3).is_err());
    }

    #[test]
    fn pages_unsorted_listings_by_key() {
        let items: Vec<(String, u32)> = ["k3", "k1", "k4", "k0", "k2"]
            .iter()
            .map(|k| ((*k).to_owned(), k[1..].parse().unwrap()))
            .collect();
        let p1 = paginate(items.clone(), None, 2).unwrap();
        assert_eq!(p1.items, vec![0, 1]);
        let p2 = paginate(items.clone(), p1.next_marker.as_deref(), 2).unwrap();
        assert_eq!(p2.items, vec![2, 3]);
        let p3 = paginate(items, p2.next_marker.as_deref(), 2).unwrap();
        assert_eq!(p3.items, vec![4]);
        assert!(!p3.is_truncated());
    }
}

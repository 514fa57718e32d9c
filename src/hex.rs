//! Bytes as the lower-case hex caselog writes them: a digest's short form
//! (`row-…`, `erased-…`), and random words (the pseudonym secret, a
//! Message-ID's part, the marks that keep text from forging output).

/// `bytes` in hex, two digits each.
pub fn of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `len` random bytes from the system, in hex.
pub fn random(len: usize) -> Result<String, getrandom::Error> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes)?;
    Ok(of(&bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytes_are_two_lower_case_digits_each_and_random_words_differ() {
        assert_eq!(super::of(&[0, 0x0f, 0xab]), "000fab");
        let (a, b) = (super::random(8).unwrap(), super::random(8).unwrap());
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }
}

"""Reading pages: decoding, main-text extraction per content type, diff, near-duplicates, takedowns, listings."""

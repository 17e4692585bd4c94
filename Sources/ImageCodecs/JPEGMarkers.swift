/// Walks the marker segments of a JPEG header (everything before the first scan).
enum JPEGMarkers {
    /// The payload of the first APP1 segment that starts with "Exif\0\0", without that prefix:
    /// a TIFF structure. OpenCV reads the EXIF orientation from there.
    static func exifTIFF(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]  // "Exif\0\0"
        var found: ArraySlice<UInt8>?
        _ = walkHeader(bytes) { marker, payload in
            if marker == 0xE1, payload.starts(with: exifHeader) {
                found = payload.dropFirst(exifHeader.count)
                return false
            }
            return true
        }
        return found
    }

    /// True when an EOI marker (`FF D9`) follows the start of the first scan, i.e. the data is
    /// not cut short. Used to tell a truncated JPEG from one with recoverable corruption when
    /// libjpeg only reports its first warning.
    static func hasEndOfImageAfterFirstScan(_ bytes: [UInt8]) -> Bool {
        guard let scanStart = walkHeader(bytes, visit: { _, _ in true }) else { return false }
        var index = scanStart
        while index + 1 < bytes.count {
            if bytes[index] == 0xFF && bytes[index + 1] == 0xD9 { return true }
            index += 1
        }
        return false
    }

    /// Calls `visit(marker, payload)` for each segment after SOI until the first SOS; `visit`
    /// returns false to stop early. Returns the offset of the SOS marker, or nil if none was
    /// reached (stopped early, malformed or cut short). Bytes between segments are skipped.
    private static func walkHeader(
        _ bytes: [UInt8], visit: (UInt8, ArraySlice<UInt8>) -> Bool
    ) -> Int? {
        var index = 2  // after SOI
        while index + 1 < bytes.count {
            guard bytes[index] == 0xFF else {
                index += 1  // extraneous bytes between segments: libjpeg skips them too
                continue
            }
            let marker = bytes[index + 1]
            switch marker {
            case 0xFF:  // fill byte
                index += 1
            case 0x01, 0xD0...0xD8:  // standalone markers: TEM, RSTn, SOI
                index += 2
            case 0xDA:  // start of scan
                return index
            case 0xD9:  // end of image
                return nil
            default:
                guard index + 3 < bytes.count else { return nil }
                let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                let end = index + 2 + length
                guard length >= 2, end <= bytes.count else { return nil }
                if !visit(marker, bytes[(index + 4)..<end]) { return nil }
                index = end
            }
        }
        return nil
    }
}

/// The EXIF Orientation tag (0x0112), which OpenCV's imdecode applies unless told not to.
/// Values: 1 as stored, 2 mirrored, 3 rotated 180°, 4 flipped upside down, 5 transposed,
/// 6 rotated 90° clockwise, 7 transversed, 8 rotated 90° counter-clockwise.
enum ExifOrientation {
    /// From the first "Exif" APP1 segment; 1 when absent or unreadable.
    static func inJPEG(_ bytes: [UInt8]) -> Int {
        JPEGMarkers.exifTIFF(bytes).map(fromTIFF) ?? 1
    }

    /// From the first eXIf chunk (before or after the image data); 1 when absent or unreadable.
    static func inPNG(_ bytes: [UInt8]) -> Int {
        var index = 8  // after the signature
        while index + 12 <= bytes.count {
            let length = Int(readUInt32(bytes[index..<(index + 4)], bigEndian: true))
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            let dataEnd = index + 8 + length
            guard dataEnd + 4 <= bytes.count else { return 1 }
            if type == "eXIf" { return fromTIFF(bytes[(index + 8)..<dataEnd]) }
            if type == "IEND" { return 1 }
            index = dataEnd + 4  // skip the CRC
        }
        return 1
    }

    /// Reads tag 0x0112 from IFD0 of a TIFF structure ("II*\0" or "MM\0*").
    static func fromTIFF(_ tiff: ArraySlice<UInt8>) -> Int {
        let bytes = Array(tiff)
        guard bytes.count >= 8 else { return 1 }
        let bigEndian: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): bigEndian = false
        case (0x4D, 0x4D): bigEndian = true
        default: return 1
        }
        func u16(_ at: Int) -> Int? {
            at + 2 <= bytes.count ? Int(readUInt16(bytes[at..<(at + 2)], bigEndian: bigEndian)) : nil
        }
        func u32(_ at: Int) -> Int? {
            at + 4 <= bytes.count ? Int(readUInt32(bytes[at..<(at + 4)], bigEndian: bigEndian)) : nil
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return 1 }
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return 1 }
            if tag == 0x0112 {
                guard let value = u16(at + 8), (1...8).contains(value) else { return 1 }
                return value
            }
        }
        return 1
    }

    private static func readUInt16(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> UInt16 {
        let b = Array(bytes)
        return bigEndian ? UInt16(b[0]) << 8 | UInt16(b[1]) : UInt16(b[1]) << 8 | UInt16(b[0])
    }

    private static func readUInt32(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> UInt32 {
        let ordered = bigEndian ? Array(bytes) : Array(bytes.reversed())
        return ordered.reduce(0) { $0 << 8 | UInt32($1) }
    }
}

extension Image {
    /// This image with an EXIF orientation applied (5-8 swap width and height).
    func oriented(_ orientation: Int) -> Image {
        guard (2...8).contains(orientation) else { return self }
        let swapsAxes = orientation >= 5
        let outWidth = swapsAxes ? height : width
        let outHeight = swapsAxes ? width : height
        var out = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                let (sx, sy): (Int, Int)
                switch orientation {
                case 2: (sx, sy) = (width - 1 - x, y)
                case 3: (sx, sy) = (width - 1 - x, height - 1 - y)
                case 4: (sx, sy) = (x, height - 1 - y)
                case 5: (sx, sy) = (y, x)
                case 6: (sx, sy) = (y, height - 1 - x)
                case 7: (sx, sy) = (width - 1 - y, height - 1 - x)
                default: (sx, sy) = (width - 1 - y, x)  // 8
                }
                let source = (sy * width + sx) * 3
                let target = (y * outWidth + x) * 3
                out[target] = pixels[source]
                out[target + 1] = pixels[source + 1]
                out[target + 2] = pixels[source + 2]
            }
        }
        return Image(width: outWidth, height: outHeight, pixels: out)
    }
}

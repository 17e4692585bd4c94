import CTurboJPEG

/// JPEG decoding with libjpeg-turbo's TurboJPEG API, set up like OpenCV's decoder: accurate
/// integer IDCT (JDCT_ISLOW) and fancy upsampling (no TJFLAG_FASTDCT / TJFLAG_FASTUPSAMPLE),
/// decoded straight to BGR. The same library with the same settings gives bit-identical pixels.
///
/// Warnings: libjpeg recovers from damaged data with a warning ("Corrupt JPEG data: ...") and
/// OpenCV's imdecode returns that image, so do we. Data that ends early is different: libjpeg's
/// memory source then fakes an EOI ("Premature end of JPEG file") while OpenCV's source cannot,
/// so imdecode returns nothing; hence that case is `.corrupt` here.
enum JPEGDecoder {
    static func decode(_ bytes: [UInt8], maxPixels: Int) throws(ImageError) -> Image {
        guard let handle = tjInitDecompress() else {
            throw .corrupt(format: "JPEG", reason: "cannot initialise TurboJPEG")
        }
        defer { tjDestroy(handle) }

        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let headerStatus = bytes.withUnsafeBufferPointer { input in
            tjDecompressHeader3(handle, input.baseAddress, UInt(input.count),
                                &width, &height, &subsampling, &colorspace)
        }
        if headerStatus != 0, let error = fatalError(handle) { throw error }
        try ImageDecoder.checkPixelLimit(width: Int(width), height: Int(height), maxPixels: maxPixels)

        // libjpeg cannot convert CMYK/YCCK to RGB: take CMYK and convert like OpenCV does.
        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let pixelFormat = isCMYK ? TJPF_CMYK : TJPF_BGR
        var decoded = [UInt8](repeating: 0, count: Int(width) * Int(height) * (isCMYK ? 4 : 3))
        let status = bytes.withUnsafeBufferPointer { input in
            decoded.withUnsafeMutableBufferPointer { output in
                tjDecompress2(handle, input.baseAddress, UInt(input.count), output.baseAddress,
                              width, 0, height, Int32(pixelFormat.rawValue), TJFLAG_ACCURATEDCT)
            }
        }
        if status != 0 {
            if let error = fatalError(handle) { throw error }
            let warning = errorMessage(handle)
            if warning.hasPrefix(endOfFileWarning) {
                throw .corrupt(format: "JPEG", reason: warning)
            }
            // Only the first warning's text is kept: look for the EOI marker ourselves.
            if !JPEGMarkers.hasEndOfImageAfterFirstScan(bytes) {
                throw .corrupt(format: "JPEG", reason: "\(endOfFileWarning) (after: \(warning))")
            }
        }
        let pixels = isCMYK ? bgr(fromInvertedCMYK: decoded) : decoded
        return Image(width: Int(width), height: Int(height), pixels: pixels)
    }

    /// OpenCV's CMYK conversion (for Adobe-style inverted CMYK, as libjpeg delivers it):
    /// each of C, M, Y becomes `k - (((255 - v) * k) >> 8)`, giving R, G, B.
    static func bgr(fromInvertedCMYK cmyk: [UInt8]) -> [UInt8] {
        var bgr = [UInt8](repeating: 0, count: cmyk.count / 4 * 3)
        for pixel in 0..<(cmyk.count / 4) {
            let k = Int(cmyk[pixel * 4 + 3])
            for channel in 0..<3 {
                let v = Int(cmyk[pixel * 4 + channel])  // C, M, Y
                bgr[pixel * 3 + 2 - channel] = UInt8(k - (((255 - v) * k) >> 8))
            }
        }
        return bgr
    }

    static let endOfFileWarning = "Premature end of JPEG file"

    /// The texts of libjpeg's warnings (JWRN_*). TurboJPEG keeps the first warning's text unless
    /// a fatal error replaces it, and tjGetErrorCode keeps saying TJERR_WARNING when a fatal
    /// error follows a warning, so the text is what tells "only warnings" from "failed".
    static let warningPrefixes = [
        "Corrupt JPEG data", endOfFileWarning, "Inconsistent progression sequence",
        "Invalid SOS parameters for sequential JPEG", "Unknown Adobe color transform code",
        "Warning: unknown JFIF revision number", "Application transferred too many scanlines",
    ]

    /// nil when the failed call only raised warnings (the output is complete), else the error.
    private static func fatalError(_ handle: tjhandle) -> ImageError? {
        let message = errorMessage(handle)
        let onlyWarnings = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
            && warningPrefixes.contains { message.hasPrefix($0) }
        return onlyWarnings ? nil : .corrupt(format: "JPEG", reason: message)
    }

    private static func errorMessage(_ handle: tjhandle) -> String {
        guard let message = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: message)
    }
}

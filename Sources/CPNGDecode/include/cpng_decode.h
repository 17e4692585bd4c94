#ifndef CPNG_DECODE_H
#define CPNG_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define CPNG_MESSAGE_CAPACITY 256

/// Outcome of a call: the image size from the header and, on failure, libpng's message.
typedef struct {
    uint32_t width;
    uint32_t height;
    char message[CPNG_MESSAGE_CAPACITY];
} cpng_result;

/// Reads the PNG signature and the chunks up to the image data (IHDR, PLTE, ...),
/// without decoding any pixels. Returns 1 on success, 0 on error (see result->message).
int cpng_read_header(const uint8_t *data, size_t size, cpng_result *result);

/// Decodes the whole PNG to 8-bit BGR, row-major, 3 bytes per pixel, the way OpenCV's
/// IMREAD_COLOR does: 16-bit samples keep their high byte, palettes and low bit depths
/// are expanded, grey is replicated, alpha (and tRNS) is dropped without compositing,
/// gAMA/sRGB/iCCP are ignored. `bgr` must hold `capacity` >= width * height * 3 bytes.
/// Returns 1 on success, 0 on error (see result->message).
int cpng_decode_bgr(const uint8_t *data, size_t size, uint8_t *bgr, size_t capacity,
                    cpng_result *result);

#endif

#include "cpng_decode.h"

#include <png.h>
#include <stdio.h>
#include <string.h>

/// The in-memory input and where errors are reported; reached through libpng's io/error pointers.
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    cpng_result *result;
} reader;

static void set_message(cpng_result *result, const char *message) {
    snprintf(result->message, CPNG_MESSAGE_CAPACITY, "%s", message);
}

/// libpng must not return from an error callback: record the message, jump back to decode().
static void on_error(png_structp png, png_const_charp message) {
    reader *input = (reader *)png_get_error_ptr(png);
    set_message(input->result, message);
    png_longjmp(png, 1);
}

/// Warnings (bad CRC in an ancillary chunk, ...) are ignored, as they are for OpenCV.
static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void on_read(png_structp png, png_bytep destination, size_t length) {
    reader *input = (reader *)png_get_io_ptr(png);
    if (length > input->size - input->offset) {
        png_error(png, "unexpected end of data (truncated PNG)");
    }
    memcpy(destination, input->data + input->offset, length);
    input->offset += length;
}

/// Asks libpng for 8-bit BGR whatever the file holds (see the header for the rules).
static void request_bgr8(png_structp png, png_infop info) {
    int depth = png_get_bit_depth(png, info);
    int color_type = png_get_color_type(png, info);
    if (depth == 16) {
        png_set_strip_16(png);                    /* high byte, i.e. value >> 8 */
    }
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
    }
    if ((color_type & PNG_COLOR_MASK_COLOR) == 0) {
        if (depth < 8) {
            png_set_expand_gray_1_2_4_to_8(png);
        }
        png_set_gray_to_rgb(png);
    }
    png_set_strip_alpha(png);                     /* drop alpha, no compositing */
    png_set_bgr(png);
}

/// Header only when bgr is NULL, otherwise the full decode. setjmp stays in this frame.
static int decode(const uint8_t *data, size_t size, uint8_t *bgr, size_t capacity,
                  cpng_result *result) {
    reader input = {data, size, 0, result};
    memset(result, 0, sizeof(*result));

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &input, on_error, on_warning);
    if (png == NULL) {
        set_message(result, "cannot create libpng read struct");
        return 0;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        set_message(result, "cannot create libpng info struct");
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    png_set_read_fn(png, &input, on_read);
    png_read_info(png, info);
    result->width = png_get_image_width(png, info);
    result->height = png_get_image_height(png, info);

    if (bgr != NULL) {
        size_t row_bytes = (size_t)result->width * 3;
        if (capacity / 3 / result->width < result->height) {
            png_error(png, "output buffer too small");
        }
        request_bgr8(png, info);
        int passes = png_set_interlace_handling(png);
        png_read_update_info(png, info);
        if (png_get_rowbytes(png, info) != row_bytes) {
            png_error(png, "unexpected row size after colour conversion");
        }
        /* With interlace handling, each pass visits every row and fills in its pixels. */
        for (int pass = 0; pass < passes; pass++) {
            for (uint32_t y = 0; y < result->height; y++) {
                png_read_row(png, bgr + (size_t)y * row_bytes, NULL);
            }
        }
        png_read_end(png, NULL);                  /* OpenCV also reads up to IEND */
    }
    png_destroy_read_struct(&png, &info, NULL);
    return 1;
}

int cpng_read_header(const uint8_t *data, size_t size, cpng_result *result) {
    return decode(data, size, NULL, 0, result);
}

int cpng_decode_bgr(const uint8_t *data, size_t size, uint8_t *bgr, size_t capacity,
                    cpng_result *result) {
    return decode(data, size, bgr, capacity, result);
}

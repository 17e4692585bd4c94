// ArrowIPC — a small, hand-written reader and writer for the Apache Arrow IPC
// *stream* format.
//
// Why hand-written: no Swift package in our allowed dependency list reads
// Arrow IPC, and Cluster Serving only needs a narrow, well-specified slice of
// it (the payloads the stock Python clients write and read). Everything here
// follows the Arrow columnar format specification (Schema.fbs / Message.fbs);
// no code is taken from other projects.
//
// Scope: little-endian, uncompressed streams; no dictionaries. Supported
// types: Null, Bool, Int 8/16/32/64 (signed and unsigned), FloatingPoint
// (half/single/double), Utf8, Binary, LargeUtf8, LargeBinary, List,
// LargeList, FixedSizeList, Struct. Anything else is refused with a typed
// `ArrowError` — as is every malformed input (nothing traps, nothing reads
// out of bounds).
//
// Map of the module (read top to bottom):
//
//   ArrowError.swift             every failure, with a readable description
//   ArrowTypes.swift             ArrowType / ArrowField / ArrowSchema
//   ArrowArray.swift             one column: validity, buffers, children, slicing
//   ArrowArrayAccessors.swift    typed reads: floats(), int64s(), string(at:), lists…
//   ArrowArrayBuilders.swift     making columns: .float32(...), .utf8(...), .list…
//   ArrowRecordBatch.swift       ArrowRecordBatch and ArrowStream (a decoded stream)
//   ByteReading.swift            bounds-checked little-endian loads, ArrowBuffer
//   FlatBufferReader.swift       checked navigation of message metadata
//   FlatBufferBuilder.swift      back-to-front builder (same layout as flatc C++)
//   ArrowMetadataDecoding.swift  flatbuffer Message -> schema / batch layout
//   ArrowMetadataEncoding.swift  schema / batch layout -> flatbuffer Message
//   ArrowBodyDecoding.swift      batch layout + body bytes -> validated columns
//   ArrowBodyEncoding.swift      columns -> FieldNodes, Buffers, padded body
//   ArrowStreamReader.swift      message framing: continuation, lengths, EOS
//   ArrowStreamWriter.swift      schema message, batches, end-of-stream marker
//   ArrowResultEncoding.swift    the server's result payload (data + shape)
//   ArrowClientInputEncoding.swift  the client's request payload (tensors, strings)

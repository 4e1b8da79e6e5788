// CRC-32C (Castagnoli), the checksum of WAL records, index sections and
// remote-read frames. Uses the SSE4.2 instruction when the CPU has it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata {

// Extends `crc` (0 to start) with [data, data+n).
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n);
inline uint32_t crc32c(std::string_view s) { return crc32c_extend(0, s.data(), s.size()); }

}  // namespace strata

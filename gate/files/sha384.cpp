// SPDX-License-Identifier: Apache-2.0
#include "sha384.h"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace schemagate {

std::string sha384_hex(std::string_view bytes) {
    // Fetched once, as in sha256.cpp: a lookup per call costs more than hashing a small file.
    static EVP_MD* const sha384_algorithm = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (sha384_algorithm == nullptr || EVP_Digest(bytes.data(), bytes.size(), digest.data(),
                                                  &length, sha384_algorithm, nullptr) != 1) {
        throw std::runtime_error("SHA-384 computation failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(std::size_t{length} * 2);
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0x0f];
    }
    return hex;
}

}  // namespace schemagate

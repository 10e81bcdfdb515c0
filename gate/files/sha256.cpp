// SPDX-License-Identifier: Apache-2.0
#include "sha256.h"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace schemagate {

std::string sha256_hex(std::string_view bytes) {
    // Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up again on every call,
    // which cost more than hashing a thousand small migration files.
    static EVP_MD* const sha256_algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (sha256_algorithm == nullptr || EVP_Digest(bytes.data(), bytes.size(), digest.data(),
                                                  &length, sha256_algorithm, nullptr) != 1) {
        throw std::runtime_error("SHA-256 computation failed");
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

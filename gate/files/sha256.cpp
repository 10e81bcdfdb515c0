// SPDX-License-Identifier: Apache-2.0
#include "sha256.h"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace schemagate {

namespace {

// Lower-case hex digest of `bytes` by `algorithm`, fetched once by the caller: EVP_sha256()
// and the like make OpenSSL 3 look the algorithm up again on every call, which cost more than
// hashing a thousand small migration files.
std::string digest_hex(const EVP_MD* algorithm, std::string_view bytes, const char* name) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (algorithm == nullptr ||
        EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, algorithm, nullptr) != 1) {
        throw std::runtime_error(std::string(name) + " computation failed");
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

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return digest_hex(algorithm, bytes, "SHA-256");
}

std::string sha384_hex(std::string_view bytes) {
    static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    return digest_hex(algorithm, bytes, "SHA-384");
}

}  // namespace schemagate

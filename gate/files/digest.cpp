// SPDX-License-Identifier: Apache-2.0
#include "digest.h"

#include <nettle/md5.h>

#include <array>
#include <cstdint>

namespace schemagate {

namespace {

const std::uint8_t* data_of(std::string_view bytes) {
    return reinterpret_cast<const std::uint8_t*>(bytes.data());
}

template <std::size_t N>
std::string hex_of(const std::array<std::uint8_t, N>& digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(N * 2);
    for (const std::uint8_t byte : digest) {
        hex += kHex[byte >> 4U];
        hex += kHex[byte & 0x0fU];
    }
    return hex;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    sha256_ctx context{};
    sha256_init(&context);
    sha256_update(&context, bytes.size(), data_of(bytes));
    std::array<std::uint8_t, SHA256_DIGEST_SIZE> digest{};
    sha256_digest(&context, digest.size(), digest.data());
    return hex_of(digest);
}

std::string sha384_hex(std::string_view bytes) {
    sha384_ctx context{};
    sha384_init(&context);
    sha384_update(&context, bytes.size(), data_of(bytes));
    std::array<std::uint8_t, SHA384_DIGEST_SIZE> digest{};
    sha384_digest(&context, digest.size(), digest.data());
    return hex_of(digest);
}

std::string md5_hex(std::string_view bytes) {
    md5_ctx context{};
    md5_init(&context);
    md5_update(&context, bytes.size(), data_of(bytes));
    std::array<std::uint8_t, MD5_DIGEST_SIZE> digest{};
    md5_digest(&context, digest.size(), digest.data());
    return hex_of(digest);
}

RunningSha256::RunningSha256() {
    sha256_init(&context_);
}

void RunningSha256::feed(std::string_view bytes) {
    sha256_update(&context_, bytes.size(), data_of(bytes));
}

std::string RunningSha256::digest() const {
    // sha256_digest resets the context it ends: end a copy, so the running state goes on.
    sha256_ctx copy = context_;
    std::string digest(SHA256_DIGEST_SIZE, '\0');
    sha256_digest(&copy, SHA256_DIGEST_SIZE, reinterpret_cast<std::uint8_t*>(digest.data()));
    return digest;
}

}  // namespace schemagate

// SPDX-License-Identifier: Apache-2.0
#include "digest.h"

#include <nettle/base16.h>
#include <nettle/md5.h>
#include <nettle/nettle-meta.h>

#include <array>
#include <cstdint>

namespace schemagate {

namespace {

const std::uint8_t* data_of(std::string_view bytes) {
    return reinterpret_cast<const std::uint8_t*>(bytes.data());
}

// One digest by nettle's own description of the algorithm (its init, update and digest).
std::string hex_digest(const nettle_hash& hash, std::string_view bytes) {
    union Context {
        sha256_ctx sha256;
        sha512_ctx sha512;  // SHA-384's too
        md5_ctx md5;
    } context{};
    std::array<std::uint8_t, SHA512_DIGEST_SIZE> digest{};
    hash.init(&context);
    hash.update(&context, bytes.size(), data_of(bytes));
    hash.digest(&context, hash.digest_size, digest.data());
    return lower_hex(
        std::string_view(reinterpret_cast<const char*>(digest.data()), hash.digest_size));
}

}  // namespace

std::string lower_hex(std::string_view bytes) {
    std::string hex(BASE16_ENCODE_LENGTH(bytes.size()), '\0');
    base16_encode_update(hex.data(), bytes.size(), data_of(bytes));  // nettle's digits: lower case
    return hex;
}

std::string sha256_hex(std::string_view bytes) {
    return hex_digest(nettle_sha256, bytes);
}

std::string sha384_hex(std::string_view bytes) {
    return hex_digest(nettle_sha384, bytes);
}

std::string md5_hex(std::string_view bytes) {
    return hex_digest(nettle_md5, bytes);
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

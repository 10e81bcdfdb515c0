// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nettle/sha2.h>

#include <string>
#include <string_view>

namespace schemagate {

// The digests the formats we read store, as lower-case hex. Nettle, not OpenSSL: OpenSSL 3
// builds its provider store and reads openssl.cnf on the first digest, which was a fifth of a
// no-op run's CPU; nettle hashes with no set-up (docs/static-build.md, bench/README.md).

// The bytes as lower-case hex, two digits each.
std::string lower_hex(std::string_view bytes);

// SHA-256 of the bytes, the checksum stored in the history table.
std::string sha256_hex(std::string_view bytes);

// SHA-384 of the bytes: the checksum sqlx stores (bytea) for a migration file.
std::string sha384_hex(std::string_view bytes);

// MD5 of the bytes: what Liquibase's checksums are made of.
std::string md5_hex(std::string_view bytes);

// A running SHA-256 whose digest can be read without ending it, as Go's hash.Sum(nil) does
// (atlas.sum chains each file's hash onto the ones before).
class RunningSha256 {
  public:
    RunningSha256();
    void feed(std::string_view bytes);
    // The raw 32-byte digest of everything fed so far; feeding may go on.
    [[nodiscard]] std::string digest() const;

  private:
    sha256_ctx context_{};
};

}  // namespace schemagate

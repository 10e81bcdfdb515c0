// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>

namespace schemagate {

// Fills `bytes` from the kernel's generator (getrandom(2)); false if it gives none. Neither
// OpenSSL's RAND_bytes (which builds OpenSSL 3's provider store and DRBG first) nor
// std::random_device (whose check for RDRAND runs CPUID, a trap to the hypervisor on a VM,
// each time one is made): both cost a gate's start-up more than the bytes are worth.
// Waits, early in a boot, until the generator is ready, unless `wait` is false.
bool fill_random(std::span<char> bytes, bool wait = true);

// A seed for jitter: random where the kernel gives bytes at once, the clock where it does
// not (a sidecar starting early in a boot must not wait for entropy to back off).
std::uint64_t random_seed();

}  // namespace schemagate

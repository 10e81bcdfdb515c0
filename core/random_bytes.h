// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>

namespace schemagate {

// Fills `bytes` from the kernel's generator (getrandom(2)); false if it gives none. Neither
// OpenSSL's RAND_bytes (which builds OpenSSL 3's provider store and DRBG first) nor
// std::random_device (whose check for RDRAND runs CPUID, a trap to the hypervisor on a VM,
// each time one is made): both cost a gate's start-up more than the bytes are worth.
bool fill_random(std::span<char> bytes);

// A seed for jitter: random where the kernel gives bytes, the clock where it does not.
std::uint64_t random_seed();

}  // namespace schemagate

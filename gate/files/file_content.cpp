// SPDX-License-Identifier: Apache-2.0
#include "file_content.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "byte_size.h"
#include "errors.h"

namespace schemagate {

namespace {

// How much a file that grew after its fstat is read on by, at a time.
constexpr std::size_t kGrowth = 65536;

// Closes the descriptor on every path out, exceptions included.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

[[noreturn]] void cannot_read(const std::filesystem::path& path, int error) {
    throw FatalError(ExitCode::kBadInput,
                     "cannot read migration file " + path.string() + ": " + std::strerror(error));
}

[[noreturn]] void too_large(const std::filesystem::path& path, std::uint64_t bytes,
                            std::uint64_t max_bytes) {
    throw FatalError(ExitCode::kBadInput,
                     "migration file " + path.string() + " is " + format_byte_size(bytes) +
                         ", above the limit of " + format_byte_size(max_bytes) +
                         " (--max-file-size, SCHEMAGATE_MAX_FILE_SIZE): the gate holds a file "
                         "in memory about four times over while it runs; split the file, or "
                         "raise the limit together with the gate's memory limit");
}

}  // namespace

std::optional<std::string> read_regular_file(const std::filesystem::path& path,
                                             std::uint64_t max_bytes) {
    // O_NONBLOCK: a FIFO named like a migration must not block the open; it is refused below.
    const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (file.get() < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return std::nullopt;
        cannot_read(path, errno);
    }
    struct stat status {};
    if (::fstat(file.get(), &status) != 0) cannot_read(path, errno);
    if (!S_ISREG(status.st_mode)) return std::nullopt;
    // Blocking reads again: a network or FUSE file system may answer EAGAIN otherwise. The
    // open set no other status flag (O_RDONLY and O_CLOEXEC are not ones), so none is read.
    if (::fcntl(file.get(), F_SETFL, 0) != 0) cannot_read(path, errno);
    const auto size = static_cast<std::uint64_t>(status.st_size);
    if (size > max_bytes) too_large(path, size, max_bytes);
    // Sized from fstat with one byte to spare: an unchanged file ends with a read of 0 into it,
    // one that grew since shows at once and the string grows. One allocation, no copy, and no
    // 64 KiB overflow buffer zeroed per file (about 5% of loading a thousand small files).
    std::string content(size + 1, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == content.size()) content.resize(used + kGrowth);
        const ssize_t got = ::read(file.get(), content.data() + used, content.size() - used);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) cannot_read(path, errno);
        if (got == 0) break;
        used += static_cast<std::size_t>(got);
        if (used > max_bytes) too_large(path, used, max_bytes);
    }
    content.resize(used);
    return content;
}

}  // namespace schemagate

#include "roundtable/gateway/skill_cage.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "roundtable/gateway/skill_processes.hpp"

namespace rt::gateway {
namespace {

struct Hierarchy {
  std::string dir;  // the gateway's own cgroup in it
  bool v2 = false;
};

bool has_option(const std::string& options, const std::string& wanted) {
  std::istringstream in(options);
  for (std::string option; std::getline(in, option, ',');)
    if (option == wanted) return true;
  return false;
}

// cgroup path -> directory, given a mount's root and mount point (a cgroup namespace or a
// bind mount shows only part of the tree).
std::string directory_of(const std::string& mount_root, const std::string& mount_point, const std::string& path) {
  if (mount_root == "/") return mount_point + (path == "/" ? "" : path);
  if (path.compare(0, mount_root.size(), mount_root) != 0) return "";
  return mount_point + path.substr(mount_root.size());
}

// The cgroup v2 tree and the v1 pids hierarchy this process sits in, when mounted.
std::vector<Hierarchy> own_hierarchies() {
  std::string v2_path, pids_path;
  std::ifstream cgroups("/proc/self/cgroup");
  for (std::string line; std::getline(cgroups, line);) {
    auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1), path = line.substr(second + 1);
    if (line.compare(0, first, "0") == 0 && controllers.empty()) v2_path = path;
    else if (has_option(controllers, "pids")) pids_path = path;
  }
  std::vector<Hierarchy> found;
  std::ifstream mounts("/proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);) {
    auto separator = line.find(" - ");
    if (separator == std::string::npos) continue;
    std::istringstream left(line.substr(0, separator)), right(line.substr(separator + 3));
    std::string id, parent, device, root, point, fstype, source, options;
    left >> id >> parent >> device >> root >> point;
    right >> fstype >> source >> options;
    if (fstype == "cgroup2" && !v2_path.empty()) found.push_back({directory_of(root, point, v2_path), true});
    if (fstype == "cgroup" && !pids_path.empty() && has_option(options, "pids")) found.push_back({directory_of(root, point, pids_path), false});
  }
  // v2 first: it can kill a whole cgroup in one write.
  std::stable_sort(found.begin(), found.end(), [](const Hierarchy& a, const Hierarchy& b) { return a.v2 > b.v2; });
  return found;
}

bool write_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

SkillCage SkillCage::create(const std::string& name, uint64_t max_processes) {
  SkillCage cage;
  for (const auto& hierarchy : own_hierarchies()) {
    if (hierarchy.dir.empty() || (cage.limits_processes_ && !hierarchy.v2)) continue;
    std::string dir = hierarchy.dir + "/" + name;
    if (::mkdir(dir.c_str(), 0755) != 0) continue;  // read-only (a pod), or no permission
    int fd = ::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      ::rmdir(dir.c_str());
      continue;
    }
    cage.groups_.push_back({dir, hierarchy.v2});
    cage.join_fds_.push_back(fd);
    if (exists(dir + "/pids.max") && write_file(dir + "/pids.max", std::to_string(max_processes))) cage.limits_processes_ = true;
  }
  return cage;
}

SkillCage::~SkillCage() { release(); }

SkillCage::SkillCage(SkillCage&& other) noexcept
    : groups_(std::move(other.groups_)), join_fds_(std::move(other.join_fds_)), limits_processes_(other.limits_processes_) {
  other.groups_.clear();
  other.join_fds_.clear();
}

SkillCage& SkillCage::operator=(SkillCage&& other) noexcept {
  if (this != &other) {
    release();
    groups_ = std::move(other.groups_);
    join_fds_ = std::move(other.join_fds_);
    limits_processes_ = other.limits_processes_;
    other.groups_.clear();
    other.join_fds_.clear();
  }
  return *this;
}

std::string SkillCage::kind() const {
  std::string out;
  for (const auto& group : groups_) out += (out.empty() ? "" : " + ") + std::string(group.v2 ? "cgroup v2" : "cgroup v1 pids");
  return out.empty() ? "none" : out;
}

std::vector<std::string> SkillCage::directories() const {
  std::vector<std::string> out;
  for (const auto& group : groups_) out.push_back(group.dir);
  return out;
}

std::vector<pid_t> SkillCage::members() const {
  std::vector<pid_t> pids;
  for (const auto& group : groups_) {
    std::ifstream in(group.dir + "/cgroup.procs");
    for (pid_t pid = 0; in >> pid;)
      if (std::find(pids.begin(), pids.end(), pid) == pids.end()) pids.push_back(pid);
  }
  return pids;
}

std::vector<pid_t> SkillCage::kill_all() const {
  std::vector<pid_t> seen = members();  // before cgroup.kill, while every member is listed
  for (const auto& group : groups_)
    if (group.v2) write_file(group.dir + "/cgroup.kill", "1");
  // A member that forks between the listing and its SIGKILL leaves a child for the next round;
  // killed processes fork no more, so the rounds end.
  for (int round = 0; round < 2000; ++round) {
    bool any_alive = false;
    for (pid_t pid : members()) {
      if (std::find(seen.begin(), seen.end(), pid) == seen.end()) seen.push_back(pid);
      if (process_alive(pid)) {
        any_alive = true;
        ::kill(pid, SIGKILL);
      }
    }
    if (!any_alive) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return seen;
}

void SkillCage::release() {
  for (int fd : join_fds_) ::close(fd);
  join_fds_.clear();
  if (groups_.empty()) return;
  kill_all();
  // rmdir fails while a killed member is not yet reaped; the runner reaps before this, so
  // a short wait covers the kernel finishing the exits.
  for (const auto& group : groups_)
    for (int attempt = 0; attempt < 200 && ::rmdir(group.dir.c_str()) != 0 && errno == EBUSY; ++attempt)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  groups_.clear();
}

}  // namespace rt::gateway

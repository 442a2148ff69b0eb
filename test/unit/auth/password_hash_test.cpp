#include "auth/password_hash.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "opensoc/core/base64.hpp"

using opensoc::auth::hash_password;
using opensoc::auth::password_hash_well_formed;
using opensoc::auth::ScryptParams;
using opensoc::auth::verify_password;

namespace {
const ScryptParams kFast{10, 8, 1};

// Replaces the parameter list of an encoding.
std::string with_params(const std::string& encoded, const std::string& params) {
  const auto start = std::string("$scrypt$").size();
  const auto end = encoded.find('$', start);
  return encoded.substr(0, start) + params + encoded.substr(end);
}
}  // namespace

TEST_CASE("password hash round-trips and names its parameters", "[auth][password]") {
  const std::string encoded = hash_password("correct horse", kFast);
  CHECK(encoded.rfind("$scrypt$ln=10,r=8,p=1$", 0) == 0);
  // 16-byte salt and 32-byte hash in padded base64.
  const auto salt_start = encoded.find('$', 9) + 1;
  const auto hash_start = encoded.find('$', salt_start) + 1;
  CHECK(hash_start - salt_start - 1 == 24);
  CHECK(encoded.size() - hash_start == 44);
  CHECK(verify_password("correct horse", encoded));
  CHECK(password_hash_well_formed(encoded));
  CHECK(encoded.find("correct horse") == std::string::npos);
}

TEST_CASE("password hash rejects a wrong password and salts each hash", "[auth][password]") {
  const std::string a = hash_password("correct horse", kFast);
  const std::string b = hash_password("correct horse", kFast);
  CHECK(a != b);
  CHECK_FALSE(verify_password("correct horsf", a));
  CHECK_FALSE(verify_password("", a));
  CHECK(verify_password("correct horse", b));
}

TEST_CASE("password hash default parameters are ln=15 r=8 p=1", "[auth][password]") {
  const std::string encoded = hash_password("a default hash");
  CHECK(encoded.rfind("$scrypt$ln=15,r=8,p=1$", 0) == 0);
  CHECK(verify_password("a default hash", encoded));
}

TEST_CASE("password hash verify refuses tampered encodings", "[auth][password]") {
  const std::string good = hash_password("correct horse", kFast);
  const auto salt_start = good.find('$', 9) + 1;
  const auto hash_start = good.find('$', salt_start) + 1;

  SECTION("a flipped hash character") {
    std::string bad = good;
    bad[hash_start + 3] = bad[hash_start + 3] == 'A' ? 'B' : 'A';
    CHECK_FALSE(verify_password("correct horse", bad));
  }
  SECTION("a flipped salt character") {
    std::string bad = good;
    bad[salt_start + 2] = bad[salt_start + 2] == 'A' ? 'B' : 'A';
    CHECK_FALSE(verify_password("correct horse", bad));
  }
  SECTION("different parameters") {
    CHECK_FALSE(verify_password("correct horse", with_params(good, "ln=11,r=8,p=1")));
  }
  SECTION("structural damage") {
    CHECK_FALSE(verify_password("correct horse", ""));
    CHECK_FALSE(verify_password("correct horse", good.substr(0, good.size() - 1)));
    CHECK_FALSE(verify_password("correct horse", good + "$"));
    CHECK_FALSE(verify_password("correct horse", "$pbkdf2$" + good.substr(8)));
    CHECK_FALSE(verify_password("correct horse", with_params(good, "ln=10,r=8")));
    CHECK_FALSE(verify_password("correct horse", with_params(good, "ln=010,r=8,p=1")));
    CHECK_FALSE(verify_password("correct horse", with_params(good, "ln=+9,r=8,p=1")));
    CHECK_FALSE(verify_password("correct horse", good.substr(0, hash_start) + "!!!!" + good.substr(hash_start + 4)));
    // The same bytes with a padding bit set (non-canonical base64): refused,
    // so one hash has one text form.
    std::string noncanonical = good;
    char& last = noncanonical[noncanonical.size() - 2];
    last = opensoc::kBase64Alphabet[opensoc::base64_value(last) ^ 1];
    CHECK_FALSE(verify_password("correct horse", noncanonical));
    CHECK_FALSE(password_hash_well_formed("$scrypt$ln=10,r=8,p=1$$"));
  }
}

TEST_CASE("password hash verify bounds the parameters a file may ask for", "[auth][password]") {
  const std::string good = hash_password("correct horse", kFast);
  CHECK_FALSE(password_hash_well_formed(with_params(good, "ln=9,r=8,p=1")));
  CHECK_FALSE(password_hash_well_formed(with_params(good, "ln=21,r=8,p=1")));
  CHECK_FALSE(password_hash_well_formed(with_params(good, "ln=10,r=0,p=1")));
  CHECK_FALSE(password_hash_well_formed(with_params(good, "ln=10,r=33,p=1")));
  CHECK_FALSE(password_hash_well_formed(with_params(good, "ln=10,r=8,p=0")));
  CHECK_FALSE(password_hash_well_formed(with_params(good, "ln=10,r=8,p=17")));
  // Each within its range but together minutes of work: refused.
  CHECK_FALSE(password_hash_well_formed(with_params(good, "ln=20,r=32,p=16")));
  CHECK(password_hash_well_formed(with_params(good, "ln=20,r=1,p=1")));
  CHECK(password_hash_well_formed(with_params(good, "ln=15,r=8,p=1")));
  CHECK_FALSE(verify_password("correct horse", with_params(good, "ln=20,r=32,p=16")));
}

#include "rules/dispatch/config.h"
#include <gtest/gtest.h>
TEST(DispatchConfigTest, Placeholder) {}

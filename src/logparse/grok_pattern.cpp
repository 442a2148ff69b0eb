// placeholder: being written (issue 8)
#include "logparse/grok_pattern.hpp"

// placeholder: being written (issue 8)
#include "logparse/message_parser.hpp"

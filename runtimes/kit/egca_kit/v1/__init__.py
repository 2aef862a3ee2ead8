"""Generated from proto/egca/v1 by tools/gen_proto.py: do not edit."""

import { transportSuite } from "./harness.ts";

transportSuite("server");

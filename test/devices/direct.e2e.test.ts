import { transportSuite } from "./harness.ts";

transportSuite("direct");

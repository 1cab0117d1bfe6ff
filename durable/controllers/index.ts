// Every controller of the simulated control plane, in the order a drain turn visits them.
import type { Controller } from "./types";

export const controllers: Controller[] = [];

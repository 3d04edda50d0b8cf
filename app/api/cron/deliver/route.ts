import { handleCronDeliver } from "@/lib/delivery/cron";

// A pass may run for the budget plus one attempt's timeout.
export const maxDuration = 60;
export const dynamic = "force-dynamic";

// Vercel cron sends GET; other schedulers may POST.
export const GET = (request: Request) => handleCronDeliver(request);
export const POST = (request: Request) => handleCronDeliver(request);

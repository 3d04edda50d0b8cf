import type { CodeState } from "../actions";
import { CodeForm } from "./code-form";

type Props = {
  /** Undefined once the code was accepted: the form then shows the recovery codes it kept. */
  device?: { qr: string; secret: string };
  action: (previous: CodeState, form: FormData) => Promise<CodeState>;
};

/** Enrolment of an authenticator app: the QR code, the key as text, the first code. */
export function Enrolment({ device, action }: Props) {
  return (
    <CodeForm
      action={action}
      label="Code from your app"
      submit="Turn on two-factor sign-in"
      intro={
        device ? (
          <>
            <p>
              Scan this code with an authenticator app (or type the key in), then enter the 6-digit
              code it shows.
            </p>
            {/* eslint-disable-next-line @next/next/no-img-element -- a data URL, nothing to optimise */}
            <img
              className="qr"
              src={device.qr}
              alt="QR code to add this account to an authenticator app"
              width={220}
              height={220}
            />
            <p>
              Key: <code data-testid="totp-secret">{device.secret}</code>
            </p>
          </>
        ) : null
      }
    />
  );
}

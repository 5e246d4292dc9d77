import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { ApplicationForm } from "~/components/ApplicationForm";
import { applicationAction, applicationLoader } from "~/utils/application.server";

export const meta: MetaFunction = () => [{ title: "見積依頼 | WEB会員専用ご注文サイト" }];

export const loader = (args: LoaderFunctionArgs) => applicationLoader(args, "quote");
export const action = (args: ActionFunctionArgs) => applicationAction(args, "quote");

export default ApplicationForm;
